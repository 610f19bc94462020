namespace Actions.Data.Store;

/// <summary>The values of <c>Actions:AppDbProvider</c> (case-insensitive; <see cref="Sqlite"/> when unset).</summary>
public static class AppStoreProvider
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    public static bool IsPostgres(string? value) => string.Equals(value, Postgres, StringComparison.OrdinalIgnoreCase);

    public static bool IsKnown(string? value) =>
        string.IsNullOrEmpty(value) || string.Equals(value, Sqlite, StringComparison.OrdinalIgnoreCase) || IsPostgres(value);
}
