using MudBlazor;

namespace Actions.Web.Hosting;

/// <summary>Questions before a destructive or running operation: the focus starts on Cancel, so Enter never confirms by accident.</summary>
public static class SafeDialogs
{
    private static readonly DialogOptions Options = new() { DefaultFocus = DefaultFocus.None, CloseOnEscapeKey = true, MaxWidth = MaxWidth.ExtraSmall };

    /// <summary>True when the person chose <paramref name="yesText"/>; <paramref name="cancelText"/> names the safe choice.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string yesText, string cancelText = "Cancel")
    {
        var parameters = new DialogParameters<Components.Shared.ConfirmDialog>
        {
            { d => d.Message, message }, { d => d.YesText, yesText }, { d => d.CancelText, cancelText },
        };
        var dialog = await dialogs.ShowAsync<Components.Shared.ConfirmDialog>(title, parameters, Options);
        var result = await dialog.Result;
        return result is { Canceled: false };
    }
}

/// <summary>How an action's type reads in lists, chips and filters: one wording everywhere.</summary>
public static class ActionTypeNames
{
    /// <summary>The filter values, in the order the type filter offers them, with their names.</summary>
    public static readonly IReadOnlyList<(string Value, string Name)> All =
        [("query", "Query"), ("row/create", "Create row"), ("row/update", "Update row"), ("row/delete", "Delete row"), ("http", "HTTP")];

    /// <summary>The filter value of an action: its implicit kind, or its type.</summary>
    public static string Value(string type, string? kind) => type == "implicit" && kind is not null ? kind : type;

    public static string Name(string type, string? kind)
    {
        var value = Value(type, kind);
        return All.FirstOrDefault(t => t.Value == value).Name ?? value;
    }
}
