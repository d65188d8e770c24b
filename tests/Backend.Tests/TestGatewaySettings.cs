using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>What every test gateway is started with: a known admin password, image roots and room for fast test loops.</summary>
public static class TestGatewaySettings
{
    public const string AdminPassword = "test-admin-password";

    /// <summary>DAVIS and the temporary folder (tests make image roots there).</summary>
    public static string ImageRoots => string.Join(Path.PathSeparator, TestData.DavisDirectory, Path.GetTempPath());

    /// <summary>The test gateways' import size limit: small, so the refusal of a larger file is cheap to test.</summary>
    public const long ImportMaxBytes = 2_000_000;

    public static string[] Arguments =>
    [
        "--Import:MaxBytes", ImportMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--admin-password", AdminPassword,
        "--image-roots", ImageRoots,
        "--RateLimit:Burst", "1000000", "--RateLimit:PermitsPerSecond", "1000000", "--RateLimit:SignInPerMinute", "1000000",
    ];

    /// <summary>A new API token of <paramref name="userName"/>, from the password sign-in for scripts.</summary>
    public static async Task<string> Token(HttpClient anonymous, string userName, string password)
    {
        using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { userName, password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"token for {userName}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["token"]!.GetValue<string>();
    }
}
