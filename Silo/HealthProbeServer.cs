using Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Silo;

/// <summary>
/// The stand-alone silo's probes on their own port (<c>--Health:Port</c>): <c>/health/live</c> answers while the process
/// runs, <c>/health/ready</c> while this silo is Active in the cluster's membership and answers a grain call and a
/// storage check. Registered before the silo, so liveness answers while the silo is still joining.
/// </summary>
sealed class HealthProbeServer(HealthProbeSettings settings, IServiceProvider silo, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    /// <summary>How long each readiness step may take before the silo is reported not ready.</summary>
    static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    readonly ILogger logger = loggers.CreateLogger<HealthProbeServer>();
    WebApplication? app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Empty builder: no configuration files or variables of its own, so nothing but this port is served.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.ListenAnyIP(settings.Port));
        app = builder.Build();
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/health/ready", Ready);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new HostingOptionException($"--{HealthProbeSettings.Setting} {settings.Port}: {ex.Message}");
        }
        logger.LogInformation("Health probes on port {HealthPort} (all interfaces): /health/live, /health/ready", settings.Port);
    }

    async Task<IResult> Ready(CancellationToken cancellation)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested) return NotReady("starting", "The silo has not started yet.");
        if (lifetime.ApplicationStopping.IsCancellationRequested) return NotReady("stopping", "The silo is shutting down.");

        var local = silo.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var status = silo.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(local);
        if (status != SiloStatus.Active) return NotReady("not active", $"The silo is {status} in the cluster's membership.");

        if (await GrainHealth.Check(silo.GetRequiredService<IGrainFactory>(), CheckTimeout, logger, cancellation) is { } failure)
            return NotReady(failure.Status, failure.Detail);
        return Results.Json(new { status = "ready", silo = local.ToString() });
    }

    static IResult NotReady(string status, string detail) =>
        Results.Json(new { status, detail }, statusCode: StatusCodes.Status503ServiceUnavailable);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is not null) await app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
