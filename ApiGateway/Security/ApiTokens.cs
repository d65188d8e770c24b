using System.Security.Cryptography;

namespace ApiGateway.Security;

/// <summary>
/// API tokens: 32 random bytes, shown once. Only their SHA-256 is stored: a token has 256 bits of entropy, so a fast
/// hash is enough to make a stolen table useless (passwords, which have little entropy, use the slow hasher).
/// </summary>
public static class ApiTokens
{
    public const string Prefix = "ann_";

    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
