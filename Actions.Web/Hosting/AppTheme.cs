using MudBlazor;

namespace Actions.Web.Hosting;

/// <summary>
/// MudBlazor's palettes with text that meets WCAG AA contrast (axe-core found MudBlazor's defaults too faint: white on
/// its light primary, its pink secondary, and the dark palette's labels, active links, buttons and striped rows).
/// </summary>
public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0",
            Secondary = "#ad1457",
            Tertiary = "#00695c",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9",
            PrimaryContrastText = "rgba(0,0,0,0.87)",
            Secondary = "#f48fb1",
            SecondaryContrastText = "rgba(0,0,0,0.87)",
            Tertiary = "#80cbc4",
            TertiaryContrastText = "rgba(0,0,0,0.87)",
            TextSecondary = "rgba(255,255,255,0.78)",
            ActionDefault = "rgba(255,255,255,0.78)",
            DrawerIcon = "rgba(255,255,255,0.78)",
            // Striped and hovered table rows stay dark enough for the text on them (the defaults gave 4.07:1).
            TableStriped = "rgba(255,255,255,0.06)",
            TableHover = "rgba(255,255,255,0.10)",
        },
    };
}
