namespace Actions.Data.Databases;

/// <summary>Metabase's base types, the engine-neutral column types of the spec (each engine's folder maps its own types onto them).</summary>
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
}
