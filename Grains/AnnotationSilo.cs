using Grains.Inference;
using Grains.Interfaces;
using Grains.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;

namespace Grains;

public static class AnnotationSilo
{
    /// <summary>How long a grain call may take: model calls wait in the inference queues, behind image encodings.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Registers what the annotation grains need in a silo: the model host and the resident images, a response
    /// timeout that fits model work, a start-up task that resumes unfinished background model work, and the placement
    /// of image grains on silos that run models (this silo announces <see cref="InferenceOptions.Models"/>).
    /// </summary>
    public static ISiloBuilder AddAnnotationGrains(this ISiloBuilder silo, Action<InferenceOptions>? configure = null)
    {
        var options = silo.Services.AddOptions<InferenceOptions>();
        if (configure is not null) options.Configure(configure);
        var announced = new InferenceOptions();
        configure?.Invoke(announced);
        silo.UseSiloMetadata(new Dictionary<string, string> { [ModelPlacement.MetadataKey] = ModelPlacement.Value(announced.Models) });
        silo.Services.AddPlacementFilter<ModelSiloFilterStrategy, ModelSiloFilterDirector>(ServiceLifetime.Singleton);
        silo.Services.AddSingleton<ModelHost>();
        silo.Services.AddSingleton<ResidentImages>();
        silo.Services.AddSingleton<QualityModels>();
        // Instances keep their state in the campaign's instance table (an ICampaignStore the host registers).
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Instances,
            (services, _) => ActivatorUtilities.CreateInstance<InstanceRowStorage>(services));
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
        silo.AddStartupTask(async (services, cancellation) =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AnnotationSilo));
            var grains = services.GetRequiredService<IGrainFactory>();
            // Not awaited: resuming must not hold up the silo's start (storage may be slow); failures are logged.
            _ = Task.Run(async () =>
            {
                try
                {
                    await grains.GetGrain<ICampaignDirectoryGrain>(0).ResumeAll();
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Resuming the campaigns' background work failed; it resumes when each campaign is next used");
                }
            }, cancellation);
            await Task.CompletedTask;
        });
        return silo;
    }
}
