// HTTP front end with an Orleans silo co-hosted in the same process.
//
//   dotnet run --project ApiGateway -- --urls http://127.0.0.1:5080 [--data DIR]
//                                      [--Orleans:SiloPort N] [--Orleans:GatewayPort N]
//   dotnet run --project ApiGateway -- --urls http://127.0.0.1:5080 --storage postgres
//                                      --connection "Host=...;Database=...;Username=...;Password=..."
//                                      [--Orleans:AdvertisedIP ADDRESS] [--schema skip]

using ApiGateway;

await using var app = Gateway.Build(args);
await app.RunAsync();
