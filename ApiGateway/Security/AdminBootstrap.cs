using Grains.Interfaces;
using Microsoft.AspNetCore.Identity;

namespace ApiGateway.Security;

/// <summary>
/// On a first start (no account named <c>admin</c>), creates it with the password from <c>--admin-password</c> or
/// <c>ANNOTATION_ADMIN_PASSWORD</c>, or with a generated one printed once to the console (not to the log).
/// </summary>
public sealed class AdminBootstrap(IGrainFactory grains, IPasswordHasher<string> hasher, IConfiguration configuration, ILogger<AdminBootstrap> logger)
    : IHostedService
{
    public const string UserName = "admin";
    public const string PasswordSetting = "admin-password";
    public const string PasswordVariable = "ANNOTATION_ADMIN_PASSWORD";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = grains.GetGrain<IUserGrain>(UserName);
        if (await admin.GetAccount() is not null) return;
        var given = configuration[PasswordSetting] ?? Environment.GetEnvironmentVariable(PasswordVariable);
        if (given is not null && given.Length < UserNames.MinPasswordLength)
            throw new InvalidOperationException($"The admin password must have at least {UserNames.MinPasswordLength} characters.");
        var password = given ?? ApiTokens.NewToken()[ApiTokens.Prefix.Length..][..20];
        try
        {
            await admin.Create(UserRole.Admin, hasher.HashPassword(UserName, password));
        }
        catch (AnnotationRejectedException e) when (e.Code == RejectionCodes.AlreadyInitialized)
        {
            // Another gateway of the cluster created it first.
            return;
        }
        logger.LogInformation("Created the first account, {UserName}", UserName);
        if (given is null)
            Console.WriteLine($"First start: created user '{UserName}' with the one-time password {password} (shown only now; change it after signing in).");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
