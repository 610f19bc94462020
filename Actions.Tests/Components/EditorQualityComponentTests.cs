using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Web.Components.ActionPages;
using Actions.Web.Components.Shared;
using Actions.Web.Hosting;
using Bunit;

namespace Actions.Tests.Components;

/// <summary>
/// bUnit tests of the quality bar's component logic: what a run says (success message, 0 rows as a warning, the raw
/// answer behind Details), errors on the field they name (also on a public form, without the real message), one
/// asterisk, input types named for people, and the new editor's picker and test run.
/// </summary>
[Collection("Components")]
public sealed class EditorQualityComponentTests(ComponentHost host)
{
    private static List<FormField> Fields() =>
    [
        new() { Id = "email", Label = "Email", InputType = "string", Required = true },
        new() { Id = "note", Label = "Note", InputType = "string" },
    ];

    private static IRenderedComponent<RunPanel> Panel(BunitContext ctx, Func<JsonObject, Task<JsonNode?>> run, JsonObject? settings = null, bool anonymous = false) =>
        ctx.Render<RunPanel>(p => p
            .Add(x => x.Fields, Fields())
            .Add(x => x.Settings, settings)
            .Add(x => x.Anonymous, anonymous)
            .Add(x => x.Run, run));

    private static async Task RunAsync(IRenderedComponent<RunPanel> panel)
    {
        panel.Find("[data-field='email'] input").Input("ada@example.com");
        await panel.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Run").ClickAsync(new());
    }

    [Fact]
    public async Task A_run_says_the_success_message_and_shows_the_raw_answer_only_behind_details()
    {
        await using var ctx = host.Context(host.AdminId);
        var panel = Panel(ctx, _ => Task.FromResult<JsonNode?>(new JsonObject { ["rows-affected"] = 3 }),
            new JsonObject { ["successMessage"] = "Changed {{rows-affected}} rows." });
        await RunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("Changed 3 rows.", panel.Find("[role='status']").TextContent));
        Assert.DoesNotContain("rows-affected", panel.Markup);
        await panel.FindAll("button").Single(b => b.TextContent.Trim() == "Details").ClickAsync(new());
        Assert.Contains("rows-affected", panel.Markup);
        // The values stay in the form after the run.
        Assert.Equal("ada@example.com", panel.Find("[data-field='email'] input").GetAttribute("value"));
    }

    [Fact]
    public async Task A_run_that_changed_no_row_is_a_warning()
    {
        await using var ctx = host.Context(host.AdminId);
        var panel = Panel(ctx, _ => Task.FromResult<JsonNode?>(new JsonObject { ["rows-affected"] = 0 }),
            new JsonObject { ["successMessage"] = "Changed {{rows-affected}} rows." });
        await RunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("No row was changed", panel.Find(".mud-alert-text-warning").TextContent));
        Assert.Empty(panel.FindAll(".mud-alert-text-success"));
    }

    [Fact]
    public async Task A_public_form_names_the_field_of_a_refused_value_without_the_real_message()
    {
        await using var ctx = host.Context(null);
        var panel = Panel(ctx, _ => throw new RowError("Email already exists.", new Dictionary<string, string> { ["email"] = "This Email value already exists." }),
            anonymous: true);
        await RunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("Email", panel.Find("[role='alert']").TextContent));
        Assert.Contains("mud-input-error", panel.Find("[data-field='email']").InnerHtml);
        Assert.DoesNotContain("mud-input-error", panel.Find("[data-field='note']").InnerHtml);
        Assert.DoesNotContain("already exists", panel.Markup);
    }

    [Fact]
    public async Task A_database_error_naming_a_parameter_lands_on_its_field_of_the_run_form()
    {
        await using var ctx = host.Context(host.AdminId);
        var panel = Panel(ctx, _ => throw new ExceptionError(400, "Error executing Action: Error executing write query: UNIQUE constraint failed: customers.email"));
        await RunAsync(panel);
        panel.WaitForAssertion(() => Assert.Contains("UNIQUE constraint failed", panel.Find("[data-field='email']").TextContent));
        Assert.DoesNotContain("UNIQUE", panel.Find("[data-field='note']").TextContent);
    }

    [Fact]
    public void A_database_message_names_the_field_whose_tag_sets_the_column_it_names()
    {
        List<FormField> fields = [new() { Id = "qty", Label = "Quantity" }, new() { Id = "order_id", Label = "Order ID" }];
        const string check = "Error executing Action: Error executing write query: CHECK constraint failed: quantity_positive";
        Assert.Null(RunOutcome.FieldNamedBy(check, fields));
        Assert.Equal("qty", RunOutcome.FieldNamedBy(check, fields, "UPDATE orders SET quantity = {{ qty }} WHERE id = {{order_id}}"));
        Assert.Equal("qty", RunOutcome.FieldNamedBy("NOT NULL constraint failed: orders.quantity", fields, "UPDATE orders SET quantity = {{qty}} WHERE id = {{order_id}}"));
        // A column the SQL does not set from a tag names no field.
        Assert.Null(RunOutcome.FieldNamedBy("NOT NULL constraint failed: orders.total", fields, "UPDATE orders SET quantity = {{qty}} WHERE id = {{order_id}}"));
    }

    [Fact]
    public async Task A_required_field_shows_one_asterisk()
    {
        await using var ctx = host.Context(host.AdminId);
        var form = ctx.Render<ActionForm>(p => p.Add(x => x.Fields,
        [
            new FormField { Id = "email", Label = "Email", InputType = "string", Required = true },
            new FormField { Id = "size", Label = "Size", InputType = "select", Options = ["S"], Required = true },
            new FormField { Id = "pick", Label = "Pick", InputType = "radio", Options = ["A"], Required = true },
        ]));
        // MudBlazor draws one asterisk after a required input's label (CSS ::after): the label text itself has none.
        foreach (var id in new[] { "email", "size" })
        {
            Assert.Contains("mud-input-required", form.Find($"[data-field='{id}'] .mud-input-control").ClassName);
            Assert.DoesNotContain("*", form.Find($"[data-field='{id}'] label").TextContent);
        }
        Assert.Equal(1, form.Find("[data-field='pick']").TextContent.Count(c => c == '*'));
    }

    [Fact]
    public async Task Input_types_are_named_for_people()
    {
        Assert.Equal(["Text", "Long text", "Number", "Date", "Date and time", "Dropdown", "Radio buttons", "Checkbox"],
            FormBuilder.InputTypes.Where(t => t != "time").Select(FormBuilder.InputTypeName));
        await using var ctx = host.Context(host.AdminId);
        var builder = ctx.Render<FormBuilder>(p => p.Add(b => b.Fields, [new FormField { Id = "size", Label = "Size", InputType = "select", Options = ["S"] }]));
        Assert.Contains(builder.FindAll("[data-parameter='size'] input"), i => i.GetAttribute("value") == "Dropdown");
    }

    [Fact]
    public async Task A_new_action_offers_a_test_run_and_asks_to_choose_a_model()
    {
        await using var ctx = host.Context(host.AdminId);
        var editor = ctx.Render<ActionEditor>();
        editor.WaitForElement("[data-testid='sql-editor']");
        Assert.Contains("Choose a model", editor.Markup);
        var testRun = editor.FindAll("button").Single(b => b.TextContent.Trim() == "Test run");
        Assert.False(testRun.HasAttribute("disabled"));
        Assert.DoesNotContain("Save first", editor.Markup);
    }

    [Fact]
    public void Date_time_values_are_written_the_way_their_inputs_take_them()
    {
        Assert.Equal("2024-03-05T10:20:30", FormField.ForInput("datetime", "2024-03-05T10:20:30Z"));
        Assert.Equal("2024-03-05T10:20:30", FormField.ForInput("datetime", "2024-03-05 10:20:30"));
        Assert.Equal("2024-03-05T00:00", FormField.ForInput("datetime", "2024-03-05"));
        Assert.Equal("2024-03-05", FormField.ForInput("date", "2024-03-05T10:20:30Z"));
        Assert.Equal("plain", FormField.ForInput("string", "plain"));
    }
}
