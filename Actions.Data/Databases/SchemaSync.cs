using Actions.Data.Databases.Engines;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Databases;

/// <summary>
/// Applies a schema snapshot to the stored tables and fields. Tables and fields are matched by name, so their
/// ids never change; vanished ones become inactive and get their old id back when they return.
/// </summary>
internal static class SchemaSync
{
    public static async Task ApplyAsync(AppDbContext db, int databaseId, SchemaSnapshot snapshot, CancellationToken ct)
    {
        // 1. Tables.
        var tables = await db.Tables.Where(t => t.DatabaseId == databaseId).ToListAsync(ct);
        var matched = new List<(DbTable Table, TableSnapshot Snapshot)>();
        foreach (var ts in snapshot.Tables)
        {
            var table = tables.FirstOrDefault(t => t.Schema == ts.Schema && t.Name == ts.Name);
            if (table is null)
            {
                table = new DbTable { DatabaseId = databaseId, Schema = ts.Schema, Name = ts.Name, DisplayName = DatabaseMapping.Humanize(ts.Name) };
                db.Tables.Add(table);
                tables.Add(table);
            }
            table.Active = true;
            matched.Add((table, ts));
        }
        foreach (var table in tables.Where(t => matched.All(m => m.Table != t))) table.Active = false;
        await db.SaveChangesAsync(ct);

        // 2. Fields of every table (vanished ones, including those of vanished tables, become inactive).
        var tableIds = tables.Select(t => t.Id).ToList();
        var fields = await db.Fields.Where(f => tableIds.Contains(f.TableId)).ToListAsync(ct);
        var byTable = new Dictionary<int, Dictionary<string, DbField>>();
        foreach (var (table, ts) in matched)
        {
            var current = new Dictionary<string, DbField>(StringComparer.Ordinal);
            foreach (var column in ts.Columns)
            {
                var field = fields.FirstOrDefault(f => f.TableId == table.Id && f.Name == column.Name);
                if (field is null)
                {
                    field = new DbField { TableId = table.Id, Name = column.Name, DisplayName = DatabaseMapping.Humanize(column.Name) };
                    db.Fields.Add(field);
                }
                field.DatabaseType = column.DatabaseType;
                field.BaseType = column.BaseType;
                field.NotNull = column.NotNull;
                field.DatabaseDefault = column.Default;
                field.IsAutoIncrement = column.IsAutoIncrement;
                field.IsPrimaryKey = column.IsPrimaryKey;
                field.DatabaseRequired = column.NotNull && column.Default is null && !column.IsAutoIncrement;
                field.Position = column.Position;
                field.Active = true;
                current[column.Name] = field;
            }
            byTable[table.Id] = current;
        }
        foreach (var field in fields.Where(f => !byTable.TryGetValue(f.TableId, out var current) || !current.ContainsKey(f.Name)))
            field.Active = false;
        await db.SaveChangesAsync(ct);

        // 3. Keys, now that every field has an id. A semantic type set by an admin survives unless it was a key type.
        foreach (var (table, ts) in matched)
        {
            var foreignKeys = ts.ForeignKeys.GroupBy(k => k.Column).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var field in byTable[table.Id].Values)
            {
                var wasKey = field.SemanticType is "type/PK" or "type/FK";
                field.FkTargetFieldId = foreignKeys.TryGetValue(field.Name, out var key) ? Target(matched, byTable, ts.Schema, key)?.Id : null;
                field.SemanticType = field.IsPrimaryKey ? "type/PK" : field.FkTargetFieldId is not null ? "type/FK" : wasKey ? null : field.SemanticType;
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private static DbField? Target(List<(DbTable Table, TableSnapshot Snapshot)> matched, Dictionary<int, Dictionary<string, DbField>> byTable,
        string? schema, ForeignKeySnapshot key)
    {
        var target = matched.FirstOrDefault(m => m.Table.Name == key.TargetTable && m.Table.Schema == (key.TargetSchema ?? schema)).Table;
        if (target is null) return null;
        return byTable[target.Id].GetValueOrDefault(key.TargetColumn);
    }
}
