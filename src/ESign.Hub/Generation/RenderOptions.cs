namespace ESign.Hub.Generation;

/// <summary>
/// Page setup and locale of one generated document. <paramref name="PaperFormat"/> is "A4" or "Letter"; margins are CSS
/// lengths ("20mm", "0.5in"); <paramref name="Culture"/> drives the <c>money</c> and <c>date</c> template helpers.
/// </summary>
public sealed record RenderOptions(
    string PaperFormat = "A4",
    string MarginTop = "20mm",
    string MarginBottom = "20mm",
    string MarginLeft = "15mm",
    string MarginRight = "15mm",
    bool PageNumbers = true,
    string Culture = "en-US");
