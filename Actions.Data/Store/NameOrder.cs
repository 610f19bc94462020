namespace Actions.Data.Store;

/// <summary>
/// The order of names in lists (collections, secrets): case-insensitive and culture-invariant, then ordinal so
/// that names differing only in case keep one order. Applied in memory, so it is the same on every store provider
/// whatever the database's collation.
/// </summary>
public static class NameOrder
{
    public static IOrderedEnumerable<T> ThenByName<T>(this IOrderedEnumerable<T> items, Func<T, string> name) =>
        items.ThenBy(name, StringComparer.OrdinalIgnoreCase).ThenBy(name, StringComparer.Ordinal);

    public static IOrderedEnumerable<T> OrderByName<T>(this IEnumerable<T> items, Func<T, string> name) =>
        items.OrderBy(name, StringComparer.OrdinalIgnoreCase).ThenBy(name, StringComparer.Ordinal);
}
