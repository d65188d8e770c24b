using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ApiGateway.Security;

/// <summary>Declares the two ways to sign in in the OpenAPI document: the session cookie and the bearer API token.</summary>
public sealed class SecuritySchemesTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API token from POST /api/v1/auth/tokens or POST /api/v1/me/tokens.",
        };
        document.Components.SecuritySchemes["session"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = SecuritySetup.CookieName,
            Description = "The browser session from POST /api/v1/auth/login; requests that change state also send X-CSRF-TOKEN.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference("bearer", document)] = [],
        });
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference("session", document)] = [],
        });
        return Task.CompletedTask;
    }
}
