using System.Text.Json.Nodes;
using Actions.Web.Components.Shared;
using Actions.Web.Hosting;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the run form shared by the run page, the public form and the editor's preview.</summary>
public sealed class ActionFormTests
{
    /// <summary>A MudBlazor-aware bUnit context (disposed asynchronously, as MudBlazor's services require).</summary>
    private static BunitContext Context()
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Render<MudPopoverProvider>();
        return context;
    }

    private static JsonObject Action() => JsonNode.Parse("""
        {
          "parameters": [
            {"id": "id", "type": "number/=", "display-name": "ID", "required": true},
            {"id": "name", "type": "string/="},
            {"id": "secret", "type": "string/="},
            {"id": "size", "type": "string/="}
          ],
          "visualization_settings": {
            "fields": {
              "name": {"id": "name", "title": "New name", "placeholder": "e.g. Bakery", "order": 0},
              "secret": {"id": "secret", "hidden": true},
              "size": {"id": "size", "inputType": "select", "valueOptions": ["S", "M"], "order": 1}
            }
          }
        }
        """)!.AsObject();

    [Fact]
    public async Task Fields_follow_the_form_settings_and_hidden_ones_are_not_rendered()
    {
        var fields = FormField.FromAction(Action());
        Assert.Equal(["name", "size", "id", "secret"], fields.Select(f => f.Id));
        Assert.Equal("number", fields.Single(f => f.Id == "id").InputType);
        Assert.True(fields.Single(f => f.Id == "id").Required);

        await using var ctx = Context();
        var form = ctx.Render<ActionForm>(p => p.Add(f => f.Fields, fields));
        Assert.NotEmpty(form.FindAll("[data-field='name']"));
        Assert.NotEmpty(form.FindAll("[data-field='id']"));
        Assert.Empty(form.FindAll("[data-field='secret']"));
        Assert.Contains("New name", form.Markup);
        Assert.Contains("e.g. Bakery", form.Markup);
    }

    [Fact]
    public async Task Collect_refuses_a_missing_required_value_and_sends_typed_values()
    {
        var fields = FormField.FromAction(Action());
        await using var ctx = Context();
        var form = ctx.Render<ActionForm>(p => p.Add(f => f.Fields, fields));
        Assert.Null(await form.InvokeAsync(() => form.Instance.CollectAsync()));

        fields.Single(f => f.Id == "id").Value = "12";
        fields.Single(f => f.Id == "name").Value = "Bakery";
        fields.Single(f => f.Id == "secret").Value = "never sent";
        form.Render();
        var values = await form.InvokeAsync(() => form.Instance.CollectAsync());
        Assert.NotNull(values);
        Assert.Equal(12m, values!["id"]!.GetValue<decimal>());
        Assert.Equal("Bakery", values["name"]!.GetValue<string>());
        Assert.False(values.ContainsKey("secret"));
        Assert.False(values.ContainsKey("size"));
    }

    [Fact]
    public async Task Errors_from_the_server_show_under_their_field()
    {
        var fields = FormField.FromAction(Action());
        await using var ctx = Context();
        var form = ctx.Render<ActionForm>(p => p
            .Add(f => f.Fields, fields)
            .Add(f => f.Errors, new Dictionary<string, string> { ["name"] = "This New name value already exists." }));
        Assert.Contains("This New name value already exists.", form.Find("[data-field='name']").TextContent);
    }
}
