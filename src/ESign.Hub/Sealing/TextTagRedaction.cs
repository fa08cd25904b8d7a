using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;
using UglyToad.PdfPig.Content;
using ESign.Hub.Documents;

namespace ESign.Hub.Sealing;

/// <summary>
/// Takes the text tags that became fields out of an uploaded PDF's text before it is sealed, so the signed copy shows
/// the signatures where the tags were and no <c>[sig|req|signer1]</c> in copy-paste, search, screen readers or text
/// extraction. A tag's glyphs are removed from the page's content stream and replaced by the same advance, so the rest
/// of the line stays where it was. PdfPig lists a page's glyphs in content-stream order; they are matched to the show
/// operators one character code at a time. A page whose glyphs cannot be matched that way (text in form XObjects, fonts
/// with variable-length codes, content PDFsharp's content reader refuses) is left as it is: the stamped field still
/// covers the tag. Uploads never hold content that reader could not finish reading (<see cref="ContentStreamCheck"/>).
/// </summary>
internal static class TextTagRedaction
{
    public static void Apply(PdfDocument document, byte[] originalPdf, IReadOnlyList<StampedField> fields)
    {
        if (fields.Count == 0) return;
        // Only tags that became fields: a field starts where its tag starts (it may be larger, or pushed inside the page).
        var placed = (TextTags.TryFind(originalPdf) ?? []).Where(t => fields.Any(f => f.Page == t.Page && Overlaps(f, t))).ToList();
        if (placed.Count == 0) return;
        using (var pig = UglyToad.PdfPig.PdfDocument.Open(originalPdf))
        {
            foreach (var onPage in placed.GroupBy(t => t.Page))
            {
                if (onPage.Key > document.PageCount) continue;
                var page = pig.GetPage(onPage.Key);
                var letters = page.Letters;
                var removed = new HashSet<int>();
                for (var i = 0; i < letters.Count; i++)
                    if (onPage.Any(tag => Inside(letters[i], tag, page.Height))) removed.Add(i);
                if (removed.Count == 0) continue;
                try
                {
                    Redact(document.Pages[onPage.Key - 1], letters, removed);
                }
                catch (ContentReaderException)
                {
                    // Content PDFsharp's content reader refuses (poppler and PdfPig read it) is left as it is, like a
                    // page whose glyphs do not line up: the stamped field still covers the tag, and the sealing goes on.
                }
            }
        }
    }

    private static bool Overlaps(StampedField field, TextTag tag) =>
        tag.X < field.X + field.Width && field.X < tag.X + tag.Width && tag.Y < field.Y + field.Height && field.Y < tag.Y + tag.Height;

    // The glyph's middle inside the tag's box (top-left origin, so flip PdfPig's bottom-left y).
    private static bool Inside(Letter letter, TextTag tag, double pageHeight)
    {
        var box = letter.BoundingBox;
        var x = (box.Left + box.Right) / 2;
        var y = pageHeight - (box.Bottom + box.Top) / 2;
        return x >= tag.X - 0.5 && x <= tag.X + tag.Width + 0.5 && y >= tag.Y - 1 && y <= tag.Y + tag.Height + 1;
    }

    private static void Redact(PdfPage page, IReadOnlyList<Letter> letters, HashSet<int> removed)
    {
        var content = ContentReader.ReadContent(page);
        var fonts = page.Resources.Elements.GetDictionary("/Font");
        var codeLength = 1;
        var horizontalScale = 1.0;
        var scaleStack = new Stack<double>();
        var next = 0; // index of the next glyph in PdfPig's order
        var rewritten = new CSequence();
        foreach (var item in content)
        {
            if (item is not COperator op) { rewritten.Add(item); continue; }
            switch (op.Name)
            {
                case "q": scaleStack.Push(horizontalScale); break;
                case "Q": if (scaleStack.Count > 0) horizontalScale = scaleStack.Pop(); break;
                case "Tz" when op.Operands.Count == 1: horizontalScale = Number(op.Operands[0]) / 100; break;
                case "Tf" when op.Operands.Count == 2 && op.Operands[0] is CName name:
                    codeLength = fonts?.Elements.GetDictionary(name.Name)?.Elements.GetName("/Subtype") == "/Type0" ? 2 : 1;
                    break;
            }
            if (op.Name is not ("Tj" or "TJ" or "'" or "\""))
            {
                rewritten.Add(op);
                continue;
            }
            var shown = op.Name == "TJ" && op.Operands.Count == 1 && op.Operands[0] is CArray array ? array.ToList()
                : op.Operands.Count > 0 && op.Operands[^1] is CString s ? [s] : null;
            if (shown is null) return; // not a form we understand: leave the page alone
            var parts = new CArray();
            var changed = false;
            foreach (var part in shown)
            {
                if (part is not CString text) { parts.Add(part); continue; }
                var codes = text.Value.Length / codeLength;
                var kept = new System.Text.StringBuilder();
                var gap = 0.0;
                for (var c = 0; c < codes; c++, next++)
                {
                    if (next >= letters.Count) return; // PdfPig saw fewer glyphs: the streams do not line up
                    if (!removed.Contains(next))
                    {
                        if (gap != 0)
                        {
                            Flush(parts, kept, text.CStringType);
                            parts.Add(new CReal { Value = gap });
                            gap = 0;
                        }
                        kept.Append(text.Value, c * codeLength, codeLength);
                        continue;
                    }
                    // Move on by the glyph's advance, in thousandths of text space (the TJ unit).
                    var letter = letters[next];
                    var advance = Math.Sqrt(Math.Pow(letter.EndBaseLine.X - letter.StartBaseLine.X, 2) + Math.Pow(letter.EndBaseLine.Y - letter.StartBaseLine.Y, 2));
                    gap -= advance * 1000 / (letter.PointSize * horizontalScale);
                    changed = true;
                }
                Flush(parts, kept, text.CStringType);
                if (gap != 0) parts.Add(new CReal { Value = gap });
            }
            if (!changed) { rewritten.Add(op); continue; }
            // ' and " move to the next line (and " sets the spacings) before they show: keep that part.
            if (op.Name == "'") rewritten.Add(Operator("T*"));
            if (op.Name == "\"")
            {
                rewritten.Add(Operator("Tw", op.Operands[0]));
                rewritten.Add(Operator("Tc", op.Operands[1]));
                rewritten.Add(Operator("T*"));
            }
            rewritten.Add(Operator("TJ", parts));
        }
        if (next != letters.Count) return; // glyphs outside the page's own stream (forms): the indexes cannot be trusted
        page.Contents.ReplaceContent(rewritten);
    }

    private static void Flush(CArray parts, System.Text.StringBuilder kept, CStringType type)
    {
        if (kept.Length == 0) return;
        parts.Add(new CString { Value = kept.ToString(), CStringType = type });
        kept.Clear();
    }

    private static COperator Operator(string name, params CObject[] operands)
    {
        var op = OpCodes.OperatorFromName(name);
        foreach (var operand in operands) op.Operands.Add(operand);
        return op;
    }

    private static double Number(CObject value) => value switch
    {
        CInteger i => i.Value,
        CReal r => r.Value,
        _ => 100,
    };
}
