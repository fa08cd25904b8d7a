using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace ESign.Hub.Sealing;

/// <summary>
/// Turns the document's own form fields into page content: each visible widget's current appearance is drawn where it
/// sat, then the widgets and the /AcroForm are removed, so nothing in the sealed file stays editable. Other annotations
/// (links, comments) are kept. A widget without an appearance stream (a viewer would have generated one) is dropped.
/// </summary>
internal static class FormFlattener
{
    private const int HiddenFlag = 1 << 1, NoViewFlag = 1 << 5;

    public static void Flatten(PdfDocument document)
    {
        foreach (var page in document.Pages)
        {
            if (page.Elements.GetArray("/Annots") is not { } annotations) continue;
            var kept = new PdfArray(document);
            var drawing = new StringBuilder();
            foreach (var item in annotations.Elements)
            {
                if (Resolve(item) is not PdfDictionary annotation || annotation.Elements.GetName("/Subtype") != "/Widget")
                {
                    kept.Elements.Add(item);
                    continue;
                }
                if ((annotation.Elements.GetInteger("/F") & (HiddenFlag | NoViewFlag)) != 0) continue;
                if (AppearanceOf(annotation) is { } appearance)
                    drawing.Append(Place(page, annotation, appearance));
            }

            if (kept.Elements.Count == 0) page.Elements.Remove("/Annots");
            else page.Elements["/Annots"] = kept;

            if (drawing.Length > 0)
            {
                // The page's own content may leave the graphics state changed; wrap it so ours starts from the default.
                page.Contents.PrependContent().CreateStream("q\n"u8.ToArray());
                page.Contents.AppendContent().CreateStream(Encoding.ASCII.GetBytes("Q\n" + drawing));
            }
        }
        // The form (with any XFA), and permissions or rendering hints that belonged to it or to its old signatures.
        foreach (var key in new[] { "/AcroForm", "/Perms", "/NeedsRendering" })
            document.Internals.Catalog.Elements.Remove(key);
    }

    /// <summary>The normal appearance; for check boxes and radio buttons the one their /AS state selects.</summary>
    private static PdfItem? AppearanceOf(PdfDictionary annotation)
    {
        if (annotation.Elements.GetDictionary("/AP") is not { } appearances) return null;
        var normal = appearances.Elements["/N"];
        if (Resolve(normal) is not PdfDictionary stream) return null;
        if (stream.Stream is not null) return normal;
        var state = annotation.Elements.GetName("/AS");
        return string.IsNullOrEmpty(state) || Resolve(stream.Elements[state]) is not PdfDictionary { Stream: not null }
            ? null
            : stream.Elements[state];
    }

    /// <summary>Adds the appearance as an XObject of the page and returns the operators that draw it at the widget's /Rect.</summary>
    private static string Place(PdfPage page, PdfDictionary annotation, PdfItem appearance)
    {
        var form = (PdfDictionary)Resolve(appearance)!;
        var rect = annotation.Elements.GetRectangle("/Rect");
        var bbox = form.Elements.GetRectangle("/BBox");
        double rectWidth = Math.Abs(rect.X2 - rect.X1), rectHeight = Math.Abs(rect.Y2 - rect.Y1);
        if (rectWidth <= 0 || rectHeight <= 0) return "";
        if (form.Elements.GetName("/Subtype") != "/Form") form.Elements.SetName("/Subtype", "/Form");

        // ISO 32000-1, 12.5.5: the form's matrix maps its BBox; the result is then fitted onto the annotation's Rect.
        var matrix = form.Elements.GetMatrix("/Matrix");
        var corners = new[] { (bbox.X1, bbox.Y1), (bbox.X2, bbox.Y1), (bbox.X1, bbox.Y2), (bbox.X2, bbox.Y2) }
            .Select(p => matrix.Transform(new XPoint(p.Item1, p.Item2))).ToList();
        double minX = corners.Min(p => p.X), minY = corners.Min(p => p.Y), maxX = corners.Max(p => p.X), maxY = corners.Max(p => p.Y);
        if (maxX - minX <= 0 || maxY - minY <= 0) return "";
        double rx = Math.Min(rect.X1, rect.X2), ry = Math.Min(rect.Y1, rect.Y2);
        var sx = rectWidth / (maxX - minX);
        var sy = rectHeight / (maxY - minY);

        var xobjects = page.Resources.Elements.GetValue(PdfResources.Keys.XObject, VCF.Create) as PdfDictionary
            ?? throw new InvalidOperationException("The page's /XObject resources are not a dictionary.");
        var name = "/ESignFlat" + xobjects.Elements.Count.ToString(CultureInfo.InvariantCulture);
        for (var n = xobjects.Elements.Count; xobjects.Elements.ContainsKey(name); n++)
            name = "/ESignFlat" + n.ToString(CultureInfo.InvariantCulture);
        xobjects.Elements[name] = appearance;

        return string.Create(CultureInfo.InvariantCulture,
            $"q {sx:0.#####} 0 0 {sy:0.#####} {rx - minX * sx:0.#####} {ry - minY * sy:0.#####} cm {name} Do Q\n");
    }

    private static PdfItem? Resolve(PdfItem? item) => item is PdfReference reference ? reference.Value : item;
}
