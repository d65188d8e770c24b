using ApiGateway.Api;
using ApiGateway.Security;
using Microsoft.AspNetCore.Http.Json;
using Grains;
using Grains.Inference;
using Grains.Interfaces;
using Hosting;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Events;

namespace ApiGateway;

/// <summary>
/// Builds the gateway application: ASP.NET Core minimal APIs plus a co-hosted silo, or, with
/// <c>--Orleans:ClientOnly true</c> on PostgreSQL, a client of the silos recorded in the membership table. Storage is
/// the embedded SQLite file (with localhost clustering) unless <c>--storage postgres</c> is given
/// (see <see cref="StorageSettings"/>). Kept separate from <c>Program</c> so tests can start the
/// same application on a loopback port.
/// </summary>
public static class Gateway
{
    /// <summary>How long /health waits for the silo before reporting it unavailable.</summary>
    static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Fixed so the host behaves the same when started from another entry assembly.
            ApplicationName = typeof(Gateway).Assembly.GetName().Name,
            // The pages are copied beside the assembly, so they are found whatever the working folder.
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        // Not the static Log.Logger: each application instance owns its logger, so several
        // gateways (as in tests) can run in one process.
        var logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate:
                "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}")
            .CreateLogger();
        builder.Services.AddSerilog(logger, dispose: true);

        var storage = StorageSettings.FromConfiguration(builder.Configuration);
        var endpoints = SiloEndpoints.FromConfiguration(builder.Configuration, storage.Kind);
        using (var loggers = new SerilogLoggerFactory(logger))
        {
            AnnotationStorage.Prepare(storage, loggers.CreateLogger("Storage"));
        }
        var clientOnly = builder.Configuration.GetValue("Orleans:ClientOnly", false);
        if (clientOnly)
        {
            // HTTP and model work scale apart: this gateway hosts no grains and reaches the silos of the PostgreSQL cluster.
            if (storage.Kind != StorageKind.Postgres)
                throw new StorageConfigurationException(
                    "A client-only gateway (--Orleans:ClientOnly true) finds the silos in PostgreSQL's membership table: give --storage postgres --connection \"...\".");
            if (endpoints.Pod is not null)
                throw new HostingOptionException(
                    $"--{KubernetesHosting.Setting} true applies to silos; a client-only gateway (--Orleans:ClientOnly true) hosts none: leave it out.");
            var callTimeout = builder.Configuration.GetValue("Orleans:CallTimeoutSeconds", 30);
            if (callTimeout is < 1 or > 600)
                throw new HostingOptionException($"--Orleans:CallTimeoutSeconds {callTimeout} is outside 1..600.");
            builder.UseOrleansClient(client => client
                .UseAnnotationPostgresClustering(storage.ConnectionString, endpoints.ClusterId, endpoints.ServiceId)
                // A call whose silo dies while it works on it gets no answer, and this process is not told: after this
                // long the request is answered 503 (send again) instead of hanging for the silos' own 3 minutes.
                .Configure<Orleans.Configuration.ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(callTimeout)));
        }
        else
        {
            builder.UseOrleans(silo => silo.UseAnnotationSilo(builder.Configuration, storage, endpoints));
        }

        builder.Services.AddAnnotationSecurity(builder.Configuration, StorageSettings.DataFolder(builder.Configuration));
        builder.Services.Configure<ImportOptions>(builder.Configuration.GetSection("Import"));
        // Registered after the silo, so the grains answer when it runs.
        builder.Services.AddHostedService<AdminBootstrap>();
        // A parameter that fails to bind is refused through the exception handler, which names the parameter.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemExceptionHandler.AddMissingCodeAndField);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<SecuritySchemesTransformer>());

        var app = builder.Build();

        if (clientOnly)
            app.Logger.LogInformation("Gateway configured as a client of cluster {ClusterId} (no co-hosted silo), storage {StorageKind}",
                endpoints.ClusterId, storage.Kind);
        else
            app.Logger.LogInformation(
                "Gateway configured: silo port {SiloPort}, gateway port {GatewayPort}, cluster {ClusterId}, storage {StorageKind}",
                endpoints.SiloPort, endpoints.GatewayPort, endpoints.ClusterId, storage.Kind);

        app.UseSerilogRequestLogging(options => options.Logger = logger);
        app.Use(SecurityHeaders);
        app.UseExceptionHandler();
        // Any error response without a body (including routing misses such as unknown
        // /api paths) gets an RFC 7807 problem+json body from the problem details service.
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAnnotationSecurity();
        app.Use(WithIdsInLogs);

        app.MapGet("/health", CheckHealth).AllowAnonymous();
        // Liveness touches neither grains nor storage: a database outage makes gateways unready, it does not restart them.
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        AuthEndpoints.Map(app);
        UserEndpoints.Map(app);
        MemberEndpoints.Map(app);
        StatisticsEndpoints.Map(app);
        QualityEndpoints.Map(app);
        PaintingEndpoints.Map(app);
        QualificationEndpoints.Map(app);
        ManagerEndpoints.Map(app);
        ImportExportEndpoints.Map(app);
        RankingEndpoints.Map(app);
        AnnotatorEndpoints.Map(app);
        ImageEndpoints.Map(app);

        return app;
    }

    /// <summary>No content sniffing, no framing by other sites, and pages that run only their own scripts.</summary>
    static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        // Set as the response starts, so error answers (whose headers the exception handler clears) carry them too.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next();
    }

    /// <summary>Campaign, instance and annotator ids of the route become structured properties of every log event of the request.</summary>
    static async Task WithIdsInLogs(HttpContext http, Func<Task> next)
    {
        var values = http.Request.RouteValues;
        var diagnostics = http.RequestServices.GetService<IDiagnosticContext>();
        var pushed = new List<IDisposable>();
        foreach (var name in new[] { "campaignId", "instanceId", "annotatorId" })
        {
            if (values.TryGetValue(name, out var value) && value is string id)
            {
                var property = char.ToUpperInvariant(name[0]) + name[1..];
                pushed.Add(Serilog.Context.LogContext.PushProperty(property, id));
                diagnostics?.Set(property, id);
            }
        }
        try
        {
            await next();
        }
        finally
        {
            foreach (var p in pushed) p.Dispose();
        }
    }

    static async Task<IResult> CheckHealth(IGrainFactory grains, ILoggerFactory loggers, CancellationToken cancellation) =>
        await GrainHealth.Check(grains, HealthTimeout, loggers.CreateLogger(typeof(Gateway)), cancellation) is { } failure
            ? Unavailable(failure.Title, failure.Detail)
            : Results.Ok(new { status = "ready" });

    static IResult Unavailable(string title, string detail)
    {
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail,
            Extensions = { ["code"] = "unavailable", ["field"] = "storage" },
        };
        return Results.Problem(problem);
    }
}
