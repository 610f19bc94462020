using System.Security.Cryptography;
using System.Text;

namespace Actions.Data.Security;

/// <summary>Random 256-bit secrets (session tokens, API keys) and their SHA-256 digests for storage.</summary>
public static class Tokens
{
    public static string NewSessionToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string NewApiKey() => "mb_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string Mask(string apiKey) => apiKey[..7] + "****************";

    /// <summary>Metabase's 21-character entity id alphabet (URL-safe).</summary>
    public static string NewEntityId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        return RandomNumberGenerator.GetString(alphabet, 21);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
