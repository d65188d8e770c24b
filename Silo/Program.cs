using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Serilog;

// Stand-alone silo. Clustering is localhost-only for now, so this process forms its own
// single-silo development cluster; it does not persist anything yet.
//
//   dotnet run --project Silo -- [--data DIR] [--Orleans:SiloPort N] [--Orleans:GatewayPort N]

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

    var siloPort = builder.Configuration.GetValue("Orleans:SiloPort", 11111);
    var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", 30000);
    var dataDirectory = builder.Configuration["data"];

    builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));

    using var host = builder.Build();
    Log.ForContext("SourceContext", "Silo").Information(
        "Silo starting: silo port {SiloPort}, gateway port {GatewayPort}, data directory {DataDirectory} (not used yet)",
        siloPort, gatewayPort, dataDirectory ?? "(none)");
    await host.RunAsync();
    return 0;
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
