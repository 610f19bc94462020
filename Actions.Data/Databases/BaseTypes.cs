namespace Actions.Data.Databases;

/// <summary>Metabase's base types, the engine-neutral column types of the spec.</summary>
public static class BaseTypes
{
    public const string Integer = "type/Integer";
    public const string BigInteger = "type/BigInteger";
    public const string Float = "type/Float";
    public const string Decimal = "type/Decimal";
    public const string Boolean = "type/Boolean";
    public const string Text = "type/Text";
    public const string Date = "type/Date";
    public const string DateTime = "type/DateTime";
    public const string DateTimeWithTZ = "type/DateTimeWithTZ";
    public const string Time = "type/Time";
    public const string Uuid = "type/UUID";
    public const string Json = "type/JSON";
    public const string Unknown = "type/*";

    public static bool IsNumeric(string t) => t is Integer or BigInteger or Float or Decimal;
    public static bool IsTemporal(string t) => t is Date or DateTime or DateTimeWithTZ or Time;

    /// <summary>SQLite's affinity-style mapping of a declared type, first match wins (spec order).</summary>
    public static string FromSqliteDeclaredType(string declared)
    {
        var t = declared.ToUpperInvariant();
        if (t.Contains("INT", StringComparison.Ordinal)) return t.Contains("BIGINT", StringComparison.Ordinal) ? BigInteger : Integer;
        if (t.Contains("BOOL", StringComparison.Ordinal)) return Boolean;
        if (t.Contains("DATETIME", StringComparison.Ordinal) || t.Contains("TIMESTAMP", StringComparison.Ordinal)) return DateTime;
        if (t.Contains("DATE", StringComparison.Ordinal)) return Date;
        if (t.Contains("TIME", StringComparison.Ordinal)) return Time;
        if (t.Contains("UUID", StringComparison.Ordinal)) return Uuid;
        if (t.Contains("JSON", StringComparison.Ordinal)) return Json;
        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal)) return Text;
        if (t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal)) return Float;
        if (t.Contains("DEC", StringComparison.Ordinal) || t.Contains("NUM", StringComparison.Ordinal)) return Decimal;
        return Unknown;
    }

    /// <summary>PostgreSQL's <c>udt_name</c> (and whether it is an enum) to a base type.</summary>
    public static string FromPostgresType(string udtName, bool isEnum, bool isArray)
    {
        if (isArray) return Unknown;
        if (isEnum) return Text;
        return udtName switch
        {
            "int2" or "int4" => Integer,
            "int8" => BigInteger,
            "numeric" => Decimal,
            "float4" or "float8" => Float,
            "bool" => Boolean,
            "text" or "varchar" or "bpchar" or "char" or "name" or "citext" => Text,
            "date" => Date,
            "timestamp" => DateTime,
            "timestamptz" => DateTimeWithTZ,
            "time" or "timetz" => Time,
            "uuid" => Uuid,
            "json" or "jsonb" => Json,
            _ => Unknown,
        };
    }

    /// <summary>MySQL/MariaDB <c>data_type</c> and <c>column_type</c> to a base type.</summary>
    public static string FromMySqlType(string dataType, string columnType)
    {
        var data = dataType.ToLowerInvariant();
        var column = columnType.ToLowerInvariant();
        if (data == "tinyint" && column.StartsWith("tinyint(1)", StringComparison.Ordinal) || data is "bool" or "boolean") return Boolean;
        return data switch
        {
            "bigint" => BigInteger,
            "tinyint" or "smallint" or "mediumint" or "int" or "integer" or "year" => Integer,
            "decimal" or "numeric" => Decimal,
            "float" or "double" or "real" => Float,
            "char" or "varchar" or "tinytext" or "text" or "mediumtext" or "longtext" or "enum" or "set" => Text,
            "date" => Date,
            "datetime" or "timestamp" => DateTime,
            "time" => Time,
            "json" => Json,
            _ => Unknown,
        };
    }
}
