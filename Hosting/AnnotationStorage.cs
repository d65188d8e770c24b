using Grains.Store;
using Hosting.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Hosting;

/// <summary>Wires the project's storage choice into an Orleans silo or client.</summary>
public static class AnnotationStorage
{
    /// <summary>
    /// Applies the schema when asked (synchronously, before the silo starts) and logs which storage
    /// is used. Call once per process before building the host.
    /// </summary>
    public static void Prepare(StorageSettings settings, ILogger logger)
    {
        if (settings.ApplySchema)
        {
            SchemaInstaller.Apply(settings);
        }
        logger.LogInformation(
            "Grain storage {StorageProvider}: {StorageKind} ({StorageInvariant}) at {StorageLocation}; schema {SchemaAction}",
            StorageSettings.ProviderName, settings.Kind, settings.Invariant, settings.Location,
            settings.ApplySchema ? "applied" : "left as is");
    }

    /// <summary>Registers the "annotation" grain storage provider and the campaign tables on <paramref name="silo"/>.</summary>
    public static ISiloBuilder AddAnnotationGrainStorage(this ISiloBuilder silo, StorageSettings settings) =>
        silo.AddCampaignStore(settings).AddAdoNetGrainStorage(StorageSettings.ProviderName, options =>
        {
            options.Invariant = settings.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });

    /// <summary>Registers the store of the campaign tables (instances, queue entries, answers) in the same database as grain state.</summary>
    public static ISiloBuilder AddCampaignStore(this ISiloBuilder silo, StorageSettings settings)
    {
        silo.Services.AddSingleton<ICampaignStore>(_ => CreateCampaignStore(settings));
        return silo;
    }

    public static ICampaignStore CreateCampaignStore(StorageSettings settings) => settings.Kind == StorageKind.Sqlite
        ? new SqliteCampaignStore(settings.ConnectionString)
        : new PostgresCampaignStore(settings.ConnectionString);

    /// <summary>
    /// Full silo configuration: grain storage plus, for SQLite, a localhost single-silo cluster with
    /// in-memory reminders, and for PostgreSQL, ADO.NET membership and durable ADO.NET reminders (and Orleans'
    /// Kubernetes hosting when <see cref="SiloEndpoints.Pod"/> is set).
    /// </summary>
    public static ISiloBuilder UseAnnotationStorage(this ISiloBuilder silo, StorageSettings settings, SiloEndpoints endpoints)
    {
        silo.AddAnnotationGrainStorage(settings);
        if (settings.Kind == StorageKind.Sqlite)
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort,
                serviceId: endpoints.ServiceId, clusterId: endpoints.ClusterId);
            silo.UseInMemoryReminderService();
            return silo;
        }

        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = endpoints.ClusterId;
            options.ServiceId = endpoints.ServiceId;
        });
        LetDatabaseErrorsCrossProcesses(silo.Services);
        silo.ConfigureEndpoints(endpoints.AdvertisedAddress, endpoints.SiloPort, endpoints.GatewayPort,
            listenOnAnyHostAddress: endpoints.ListensOnAllInterfaces);
        if (endpoints.Pod is not null)
        {
            // The silo takes its name from the pod, and a silo whose pod is gone is declared dead without waiting for
            // missed probes; membership itself stays in PostgreSQL.
            silo.UseKubernetesHosting();
        }
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = settings.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = settings.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
        return silo;
    }

    /// <summary>
    /// Orleans rebuilds an exception from another process only when its type's namespace is allowed; PostgreSQL's
    /// driver errors (a grain whose state could not be read while the database was down) would otherwise arrive as an
    /// unknown exception, and the gateway would answer 500 instead of 503.
    /// </summary>
    public static void LetDatabaseErrorsCrossProcesses(IServiceCollection services) =>
        services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(options => options.SupportedNamespacePrefixes.Add("Npgsql"));

    /// <summary>An external client of a PostgreSQL-clustered deployment finds the gateways through the membership table.</summary>
    public static IClientBuilder UseAnnotationPostgresClustering(this IClientBuilder client, string connectionString, string clusterId, string serviceId)
    {
        client.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = clusterId;
            options.ServiceId = serviceId;
        });
        LetDatabaseErrorsCrossProcesses(client.Services);
        return client.UseAdoNetClustering(options =>
        {
            options.Invariant = StorageSettings.PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
