using Grains;
using Microsoft.Extensions.Configuration;

namespace Hosting;

/// <summary>The one silo set-up, shared by the stand-alone silo and the gateway's co-hosted silo.</summary>
public static class AnnotationSiloSetup
{
    /// <summary>
    /// Storage and clustering (<see cref="AnnotationStorage.UseAnnotationStorage"/>), membership timing from the
    /// <c>Orleans:Membership</c> section, the annotation grains, and the model host's options from the <c>Inference</c>
    /// section, with generated models under the data folder's <c>models</c>.
    /// </summary>
    public static ISiloBuilder UseAnnotationSilo(this ISiloBuilder silo, IConfiguration configuration, StorageSettings storage, SiloEndpoints endpoints)
    {
        var modelFolder = Path.Combine(StorageSettings.DataFolder(configuration), "models");
        if (configuration["Inference:Models"] is { } models)
        {
            var kind = Grains.Inference.ModelPlacement.Parse(models)
                ?? throw new HostingOptionException($"--Inference:Models '{models}': use gpu (preferred for model work), cpu (the default) or none (this silo runs no models).");
            if (kind == Grains.Inference.ModelSiloKind.None && storage.Kind != StorageKind.Postgres)
                throw new HostingOptionException(
                    "--Inference:Models none leaves model work to other silos of a cluster; a silo on the embedded SQLite file is alone: give --storage postgres or leave the option out.");
        }
        // How fast a silo that stopped answering is declared dead (Orleans' defaults unless set), e.g. Orleans:Membership:ProbeTimeout.
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
        return silo.UseAnnotationStorage(storage, endpoints).AddAnnotationGrains(options =>
        {
            configuration.GetSection("Inference").Bind(options);
            options.ModelFolder = modelFolder;
        });
    }
}
