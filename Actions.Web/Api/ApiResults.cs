using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Web.Hosting;

namespace Actions.Web.Api;

/// <summary>The one place where API errors become response bodies, in the spec's three forms.</summary>
public static class ApiResults
{
    private const string PlainType = "text/plain; charset=utf-8";
    private static readonly JsonSerializerOptions Json = CreateJson();

    public static IResult Plain(int status, string message) => Results.Text(message, PlainType, Encoding.UTF8, status);

    public static async Task WriteAsync(HttpResponse response, ApiError error)
    {
        response.StatusCode = error.Status;
        switch (error)
        {
            case PlainError plain:
                if (plain.RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ContentType = PlainType;
                await response.WriteAsync(plain.Message, Encoding.UTF8);
                break;
            case ValidationError validation:
                await WriteJsonAsync(response, validation.Errors.ToJson());
                break;
            case FieldError field:
                await WriteJsonAsync(response, new JsonObject { ["errors"] = new JsonObject { [field.Field] = field.Message } });
                break;
            case Actions.Data.Execution.Http.RemoteError remote:
                var remoteBody = new JsonObject { ["remote-status"] = remote.RemoteStatus };
                if (remote.RemoteMessage is { } message) remoteBody["message"] = message.DeepClone();
                await WriteJsonAsync(response, remoteBody);
                break;
            case RowError row:
                var errors = new JsonObject();
                foreach (var (key, text) in row.Errors) errors[key] = text;
                await WriteJsonAsync(response, new JsonObject { ["message"] = row.Message, ["errors"] = errors });
                break;
            case ExceptionError ex:
                await WriteJsonAsync(response, ExceptionBody(ex.Message, ex.Cause, ex.Details, ex.ExtraTopLevel));
                break;
        }
    }

    public static JsonObject ExceptionBody(string message, string cause, IReadOnlyDictionary<string, JsonNode?> data,
        IReadOnlyDictionary<string, JsonNode?>? extra = null)
    {
        var body = new JsonObject { ["message"] = message, ["cause"] = cause };
        var dataObject = new JsonObject();
        foreach (var (key, value) in data) dataObject[key] = value?.DeepClone();
        body["data"] = dataObject;
        foreach (var (key, value) in data) body[key] = value?.DeepClone();
        if (extra is not null)
            foreach (var (key, value) in extra) body[key] = value?.DeepClone();
        return body;
    }

    public static Task WriteJsonAsync(HttpResponse response, JsonNode body)
    {
        response.ContentType = "application/json; charset=utf-8";
        return response.WriteAsync(body.ToJsonString(Json), Encoding.UTF8);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions();
        ApiJson.Configure(o);
        return o;
    }
}
