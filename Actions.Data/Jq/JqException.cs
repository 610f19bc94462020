namespace Actions.Data.Jq;

/// <summary>A jq program that does not compile: the message points at the position (0-based) in the text.</summary>
public sealed class JqSyntaxException(string message, int position) : Exception($"{message} at position {position}")
{
    public int Position { get; } = position;
    public string Reason { get; } = message;
}

/// <summary>A jq runtime error (jq's own message text), e.g. <c>Cannot index number with "a"</c>.</summary>
public sealed class JqRuntimeException(string message, System.Text.Json.Nodes.JsonNode? value = null) : Exception(message)
{
    /// <summary>The value given to <c>error</c>, when the error came from it.</summary>
    public System.Text.Json.Nodes.JsonNode? Value { get; } = value;
}
