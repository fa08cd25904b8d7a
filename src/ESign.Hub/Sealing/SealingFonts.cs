using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace ESign.Hub.Sealing;

/// <summary>
/// PDFsharp finds no fonts on Linux by itself: this resolver serves Liberation Sans (apt <c>fonts-liberation</c>) and
/// falls back to DejaVu Sans (<c>fonts-dejavu-core</c>). Every family name resolves to one of the two, so whatever font
/// PDFsharp asks for internally still renders. Font files are read once and kept.
/// </summary>
public sealed class SealingFonts : IFontResolver
{
    /// <summary>The family name our drawing code asks for.</summary>
    public const string Family = "Liberation Sans";

    private static readonly string[] FontDirectories =
    [
        "/usr/share/fonts/truetype/liberation",
        "/usr/share/fonts/truetype/liberation2",
        "/usr/share/fonts/liberation-sans",
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu",
    ];

    // Face name -> candidate file names, best first.
    private static readonly Dictionary<string, string[]> Faces = new()
    {
        ["Sans-Regular"] = ["LiberationSans-Regular.ttf", "DejaVuSans.ttf"],
        ["Sans-Bold"] = ["LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf"],
        ["Sans-Italic"] = ["LiberationSans-Italic.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf"],
        ["Sans-BoldItalic"] = ["LiberationSans-BoldItalic.ttf", "DejaVuSans-BoldOblique.ttf", "DejaVuSans-Bold.ttf"],
    };

    private static readonly Lock Gate = new();
    private static readonly SealingFonts Instance = new();
    private readonly ConcurrentDictionary<string, byte[]> _loaded = new();

    private SealingFonts() { }

    /// <summary>
    /// Installs the resolver in PDFsharp's process-wide settings. Safe to call any number of times and from several
    /// threads; a resolver installed by other code is left in place.
    /// </summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is null)
                GlobalFontSettings.FontResolver = Instance;
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new((bold, italic) switch
        {
            (true, true) => "Sans-BoldItalic",
            (true, false) => "Sans-Bold",
            (false, true) => "Sans-Italic",
            _ => "Sans-Regular",
        });

    public byte[] GetFont(string faceName) => _loaded.GetOrAdd(faceName, Load);

    private static byte[] Load(string faceName)
    {
        var candidates = Faces.GetValueOrDefault(faceName) ?? Faces["Sans-Regular"];
        foreach (var file in candidates)
            foreach (var directory in FontDirectories)
            {
                var path = Path.Combine(directory, file);
                if (File.Exists(path)) return File.ReadAllBytes(path);
            }
        throw new InvalidOperationException(
            $"No font for sealing PDFs: none of {string.Join(", ", candidates)} was found in {string.Join(", ", FontDirectories)}. " +
            "Install the Debian packages fonts-liberation or fonts-dejavu-core.");
    }
}
