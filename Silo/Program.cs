using Grains;
using Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Silo;
using Serilog;
using Serilog.Extensions.Logging;

// Stand-alone silo. By default it forms a single-silo localhost cluster keeping grain state in
// DIR/annotation.db (SQLite); with --storage postgres it joins the cluster recorded in PostgreSQL.
//
//   dotnet run --project Silo -- [--data DIR] [--Orleans:SiloPort N] [--Orleans:GatewayPort N]
//   dotnet run --project Silo -- --storage postgres --connection "Host=...;Database=...;Username=...;Password=..."
//                                [--Orleans:AdvertisedIP ADDRESS] [--schema skip] [--Health:Port N] [--Orleans:Kubernetes true]

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
    .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
    .MinimumLevel.Override("Orleans", Serilog.Events.LogEventLevel.Warning)
    .MinimumLevel.Override("Polly", Serilog.Events.LogEventLevel.Warning)
    .Enrich.FromLogContext()
    .WriteTo.Console(outputTemplate:
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
    .CreateLogger();

try
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Services.AddSerilog();

    var storage = StorageSettings.FromConfiguration(builder.Configuration);
    var endpoints = SiloEndpoints.FromConfiguration(builder.Configuration, storage.Kind);
    var health = HealthProbeSettings.FromConfiguration(builder.Configuration);
    using (var loggers = new SerilogLoggerFactory(Log.Logger))
    {
        AnnotationStorage.Prepare(storage, loggers.CreateLogger("Storage"));
    }
    if (health is not null)
    {
        // Before the silo, so liveness answers while the silo joins the cluster.
        builder.Services.AddHostedService(services => new HealthProbeServer(health, services,
            services.GetRequiredService<IHostApplicationLifetime>(), services.GetRequiredService<ILoggerFactory>()));
    }
    builder.UseOrleans(silo => silo.UseAnnotationSilo(builder.Configuration, storage, endpoints));

    using var host = builder.Build();
    Log.ForContext("SourceContext", "Silo").Information(
        "Silo starting: silo port {SiloPort}, gateway port {GatewayPort}, advertised {AdvertisedAddress}, cluster {ClusterId}, storage {StorageKind}, Kubernetes pod {PodName}",
        endpoints.SiloPort, endpoints.GatewayPort, endpoints.AdvertisedAddress, endpoints.ClusterId, storage.Kind, endpoints.Pod?.Name ?? "none");
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is StorageConfigurationException or HostingOptionException)
{
    Log.Fatal("{Problem}", ex.Message);
    return 2;
}
catch (Exception ex)
{
    Log.Fatal(ex, "Silo terminated unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
