using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Actions.Web.OpenApi;

/// <summary>Puts the schema of an endpoint's <see cref="RequestBodyAttribute"/> in its operation's request body.</summary>
internal sealed class RequestBodyTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyAttribute>().LastOrDefault() is not { } body) return;
        var schema = await SchemaComponents.ReferenceAsync(context, body.BodyType, ct);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = body.Required,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}

/// <summary>
/// Every <c>/api</c> operation can answer a 4xx in the spec's error forms (actions-api.md § Errors): a plain text
/// message, or a validation or exception JSON body.
/// </summary>
internal sealed class ErrorResponsesTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var validation = await SchemaComponents.ReferenceAsync(context, typeof(ValidationErrorBody), ct);
        var exception = await SchemaComponents.ReferenceAsync(context, typeof(ExceptionErrorBody), ct);
        operation.Responses ??= [];
        operation.Responses["4XX"] = new OpenApiResponse
        {
            Description = "Plain text (`Not found.`, `You don't have permissions to do that.`, `Unauthenticated`, other short messages), "
                          + "a validation body, or an exception body.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [validation, exception] } },
            },
        };
    }
}

/// <summary>Schemas made by a transformer go to <c>components/schemas</c> once and are referenced from each operation.</summary>
internal static class SchemaComponents
{
    public static async Task<IOpenApiSchema> ReferenceAsync(OpenApiOperationTransformerContext context, Type type, CancellationToken ct)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        if (context.Document is not { } document) return schema;
        document.AddComponent(type.Name, schema);
        return new OpenApiSchemaReference(type.Name, document);
    }
}
