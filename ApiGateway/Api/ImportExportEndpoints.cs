namespace ApiGateway.Api;

public static class ImportExportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
    }
}
