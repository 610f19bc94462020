using Microsoft.AspNetCore.Identity;

namespace Actions.Data.Platform;

/// <summary>
/// ASP.NET Core Identity's default password rules with a minimum length of 8, reported with Identity's own
/// texts (its <see cref="IdentityErrorDescriber"/>), first failure only.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;
    private static readonly IdentityErrorDescriber Describer = new();

    public static string? Check(string password)
    {
        if (password.Length < MinLength) return Describer.PasswordTooShort(MinLength).Description;
        if (password.All(char.IsLetterOrDigit)) return Describer.PasswordRequiresNonAlphanumeric().Description;
        if (!password.Any(char.IsAsciiDigit)) return Describer.PasswordRequiresDigit().Description;
        if (!password.Any(char.IsAsciiLetterLower)) return Describer.PasswordRequiresLower().Description;
        if (!password.Any(char.IsAsciiLetterUpper)) return Describer.PasswordRequiresUpper().Description;
        return null;
    }
}
