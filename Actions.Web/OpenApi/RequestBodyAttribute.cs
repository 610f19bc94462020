namespace Actions.Web.OpenApi;

/// <summary>
/// The JSON body an endpoint reads, for the OpenAPI document only. The API parses bodies itself (any Content-Type,
/// Metabase's exact error texts), so nothing is bound from <see cref="BodyType"/>: it only tells <c>/api/docs</c>
/// what to send.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public class RequestBodyAttribute(Type bodyType, bool required = true) : Attribute
{
    public Type BodyType { get; } = bodyType;

    /// <summary>False where the body may be absent (e.g. a run without parameters).</summary>
    public bool Required { get; } = required;
}

/// <inheritdoc cref="RequestBodyAttribute"/>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequestBodyAttribute<T>(bool required = true) : RequestBodyAttribute(typeof(T), required);
