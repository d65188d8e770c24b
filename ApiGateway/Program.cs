// HTTP front end with an Orleans silo co-hosted in the same process (or, with --Orleans:ClientOnly true on
// PostgreSQL, a client of the cluster's silos).
//
//   dotnet run --project ApiGateway -- --urls http://127.0.0.1:5080 [--data DIR]
//                                      [--Orleans:SiloPort N] [--Orleans:GatewayPort N]
//   dotnet run --project ApiGateway -- --urls http://127.0.0.1:5080 --storage postgres
//                                      --connection "Host=...;Database=...;Username=...;Password=..."
//                                      [--Orleans:AdvertisedIP ADDRESS] [--schema skip] [--Orleans:ClientOnly true]

using ApiGateway;
using Hosting;

WebApplication app;
try
{
    app = Gateway.Build(args);
}
catch (Exception ex) when (ex is StorageConfigurationException or HostingOptionException)
{
    // An option that cannot work: its message names it; no stack trace for a typing error.
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
await using (app)
{
    await app.RunAsync();
}
return 0;
