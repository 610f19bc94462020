using System.Text;
using System.Text.RegularExpressions;

namespace Actions.Data.Jq;

/// <summary>
/// Regexes for <c>test</c>: Oniguruma's (jq's) semantics where .NET's differ, within the spec's common subset.
/// </summary>
internal static class JqRegex
{
    /// <summary>How long one match may take when the pattern needs the backtracking engine.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    // One character: a surrogate pair (one code point outside the BMP), or one UTF-16 unit that does not start one
    // (else "😀" would also match as two units: ^..$). A lone high surrogate never matches, which jq cannot see: it
    // reads one as U+FFFD. Without (?s), not a newline either, as Oniguruma's and .NET's own dot.
    private const string AnyCharacter = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n\uD800-\uDBFF])";
    private const string AnyCharacterSingleline = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\uD800-\uDBFF])";

    /// <summary>
    /// Whether the pattern matches: with the linear-time engine when the pattern allows it (no backreferences,
    /// lookarounds…), else with backtracking bounded by <see cref="MatchTimeout"/>. Throws
    /// <see cref="ArgumentException"/> for an invalid pattern and <see cref="RegexMatchTimeoutException"/>.
    /// </summary>
    public static bool IsMatch(string input, string pattern, RegexOptions options)
    {
        var translated = Translate(pattern, options.HasFlag(RegexOptions.Singleline));
        bool linear;
        try
        {
            linear = Regex.IsMatch(input, translated, options | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return Regex.IsMatch(input, translated, options, MatchTimeout);
        }
        return linear;
    }

    /// <summary>
    /// The pattern with each <c>.</c> outside a character class (and not escaped) matching one Unicode character,
    /// as in Oniguruma, rather than one UTF-16 unit (half of an emoji).
    /// </summary>
    public static string Translate(string pattern, bool singleline)
    {
        var anyCharacter = singleline ? AnyCharacterSingleline : AnyCharacter;
        var result = new StringBuilder(pattern.Length + 16);
        var classDepth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                result.Append(c);
                if (i + 1 < pattern.Length) result.Append(pattern[++i]);
                continue;
            }
            if (c == '[')
            {
                // A nested class (Oniguruma) or a subtraction (.NET) inside a class; a ']' first in a class is literal.
                classDepth++;
                result.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') result.Append(pattern[++i]);
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') result.Append(pattern[++i]);
                continue;
            }
            if (c == ']' && classDepth > 0) classDepth--;
            result.Append(c == '.' && classDepth == 0 ? anyCharacter : c.ToString());
        }
        return result.ToString();
    }
}
