using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ESign.Hub.Tests.Hostile;

/// <summary>One hostile input: a name for the test report, the bytes, and whether the hub must refuse it (422) or may accept it.</summary>
public sealed record HostileCase(string Name, byte[] Content, bool MustBeRefused)
{
    public override string ToString() => Name;
}

/// <summary>
/// PDFs made to hurt a PDF reader, generated here so every run has them: cyclic and very deep page trees, looping parent
/// chains, deep nesting, flate bombs, active content, lying sizes. Objects are numbered from 1 in the order given; object
/// 1 is the catalog unless a builder says otherwise.
/// </summary>
public static class HostilePdfs
{
    /// <summary>The whole corpus, for the process-level run. Sizes are the ones from the sweep that found the defects.</summary>
    public static IEnumerable<HostileCase> All()
    {
        yield return new("page tree lists itself as a kid", SelfReferencingPageTree(), true);
        yield return new("kid /Pages points back at its parent", KidsPointBackAtParent(), true);
        yield return new("30,000 nested /Pages nodes", DeepPageTree(30_000), true);
        yield return new("page /Parent chain loops", ParentChainLoop(), true);
        yield return new("10,000-deep array in an object", DeepArrayInObject(10_000), true);
        yield return new("10,000-deep array in page content", DeepArrayInContent(10_000), true);
        yield return new("10,000-deep dictionary", DeepDictionary(10_000), true);
        yield return new("flate bomb: one stream inflates to 1.1 GiB", FlateBomb(1100L * 1024 * 1024), true);
        yield return new("flate bombs: six streams of 60 MB", ManyStreams(6, 60L * 1024 * 1024), true);
        yield return new("flate bomb compressed twice over: 1.1 GiB behind 1 MB", DoubleFlateBomb(1100L * 1024 * 1024), true);
        yield return new("flate bomb written as hex text", HexFlateBomb(300L * 1024 * 1024), true);
        yield return new("flate bomb whose filter is named indirectly", IndirectFilterBomb(300L * 1024 * 1024), true);
        yield return new("MediaBox [0 0 -612 0]", Page("/MediaBox [0 0 -612 0]"), true);
        yield return new("MediaBox 20,000 points wide", Page("/MediaBox [0 0 20000 792]"), true);
        yield return new("MediaBox of names", Page("/MediaBox [/a /b /c /d]"), true);
        yield return new("2,001 pages", ManyPages(2001), true);
        yield return new("100,000 pages", ManyPages(100_000), true);
        yield return new("trailer /Encrypt", Encrypted(), true);
        yield return new("no catalog", NoCatalog(), true);
        yield return new("reference chain of 50,000 objects", ReferenceChain(50_000), false);
        yield return new("active content: OpenAction, Launch, JavaScript, embedded file", ActiveContent(), false);
        yield return new("text that says /Encrypt", TextMentioningEncrypt(), false);
        yield return new("hex string cut off by the end of the file", HexStringCutOffByEndOfFile(), true);
        yield return new("startxref into a comment of unclosed dictionaries", StartxrefIntoCommentOfOpenDictionaries(), true);
        yield return new("hex string cut off by the end of page content", HexStringCutOffInContent(), true);
        yield return new("hex string cut off by the end of an object stream", FontInObjectStream("<4142"), true);
        yield return new("MediaBox 14,400 points square", Page("/MediaBox [0 0 14400 14400]"), false);
    }

    /// <summary>A Letter page; <paramref name="pageEntries"/> may replace its MediaBox (e.g. "/MediaBox [0 0 -612 0]").</summary>
    public static byte[] Page(string pageEntries = "/MediaBox [0 0 612 792]", string content = "BT /F1 24 Tf 72 700 Td (Hostile sample) Tj ET\n") => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        $"<< /Type /Page /Parent 2 0 R {pageEntries} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        Stream("", content),
        Helvetica);

    /// <summary>The sweep's reproduction: <c>2 0 obj &lt;&lt; /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 &gt;&gt;</c>.</summary>
    public static byte[] SelfReferencingPageTree() => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>");

    public static byte[] KidsPointBackAtParent() => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 2 >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 2 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] >>");

    /// <summary><paramref name="depth"/> /Pages nodes, each the only kid of the one before, then one page.</summary>
    public static byte[] DeepPageTree(int depth)
    {
        var objects = new List<string> { "<< /Type /Catalog /Pages 2 0 R >>" };
        for (var i = 0; i < depth; i++)
        {
            var number = i + 2;
            var parent = i == 0 ? "" : $"/Parent {number - 1} 0 R ";
            objects.Add($"<< /Type /Pages {parent}/Kids [{number + 1} 0 R] /Count 1 >>");
        }
        objects.Add($"<< /Type /Page /Parent {depth + 1} 0 R /MediaBox [0 0 612 792] >>");
        return Build([.. objects]);
    }

    /// <summary>The page inherits its MediaBox, and its parent's parent is the parent: looking it up never ends.</summary>
    public static byte[] ParentChainLoop() => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 4 0 R >>",
        "<< /Type /Page /Parent 2 0 R >>",
        "<< /Type /Pages /Kids [] /Count 0 /Parent 2 0 R >>");

    public static byte[] DeepArrayInObject(int depth) =>
        Page($"/MediaBox [0 0 612 792] /Deep {new string('[', depth)}{new string(']', depth)}");

    public static byte[] DeepDictionary(int depth) =>
        Page($"/MediaBox [0 0 612 792] /Deep {string.Concat(Enumerable.Repeat("<< /A ", depth))}1{string.Concat(Enumerable.Repeat(" >>", depth))}");

    /// <summary>The sweep's poppler hang: a content stream with a deeply nested array makes pdftoppm print megabytes of warnings.</summary>
    public static byte[] DeepArrayInContent(int depth) =>
        Page(content: $"BT /F1 24 Tf 72 700 Td (Deep) Tj ET\n{new string('[', depth)}{new string(']', depth)} pop\n");

    /// <summary>A page whose content stream is zeros that inflate to <paramref name="inflatedBytes"/>.</summary>
    public static byte[] FlateBomb(long inflatedBytes) => BuildBinary(
        Text("<< /Type /Catalog /Pages 2 0 R >>"),
        Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        Text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
        FlateStream("", Zeros(inflatedBytes)));

    /// <summary>A page whose content stream is zeros compressed twice over ([/FlateDecode /FlateDecode]): a bomb behind a small first stage.</summary>
    public static byte[] DoubleFlateBomb(long inflatedBytes)
    {
        var outer = new MemoryStream();
        using (var zlib = new ZLibStream(outer, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(Zeros(inflatedBytes));
        return BuildBinary(
            Text("<< /Type /Catalog /Pages 2 0 R >>"),
            Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
            [.. Text($"<< /Filter [/FlateDecode /FlateDecode] /Length {outer.Length} >>\nstream\n"), .. outer.ToArray(), .. Text("\nendstream")]);
    }

    /// <summary>A page whose content stream is a flate bomb written as hex text ([/ASCIIHexDecode /FlateDecode]).</summary>
    public static byte[] HexFlateBomb(long inflatedBytes)
    {
        var hex = Text(Convert.ToHexString(Zeros(inflatedBytes)) + ">");
        return BuildBinary(
            Text("<< /Type /Catalog /Pages 2 0 R >>"),
            Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
            [.. Text($"<< /Filter [/ASCIIHexDecode /FlateDecode] /Length {hex.Length} >>\nstream\n"), .. hex, .. Text("\nendstream")]);
    }

    /// <summary>A page whose content stream names its filter through another object (/Filter 5 0 R → /FlateDecode).</summary>
    public static byte[] IndirectFilterBomb(long inflatedBytes)
    {
        var zeros = Zeros(inflatedBytes);
        return BuildBinary(
            Text("<< /Type /Catalog /Pages 2 0 R >>"),
            Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
            [.. Text($"<< /Filter 5 0 R /Length {zeros.Length} >>\nstream\n"), .. zeros, .. Text("\nendstream")],
            Text("/FlateDecode"));
    }

    /// <summary>A valid page whose content is flate-compressed and then written as ASCII85 text, as PostScript-made PDFs do.</summary>
    public static byte[] Ascii85FlatePage()
    {
        var content = new MemoryStream();
        using (var zlib = new ZLibStream(content, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(Text("BT /F1 24 Tf 72 700 Td (Ascii85 sample) Tj ET\n"));
        var text = Text(Ascii85(content.ToArray()) + "~>");
        return BuildBinary(
            Text("<< /Type /Catalog /Pages 2 0 R >>"),
            Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"),
            [.. Text($"<< /Filter [/ASCII85Decode /FlateDecode] /Length {text.Length} >>\nstream\n"), .. text, .. Text("\nendstream")],
            Text("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
    }

    private static string Ascii85(byte[] data)
    {
        var output = new StringBuilder();
        for (var i = 0; i < data.Length; i += 4)
        {
            var n = Math.Min(4, data.Length - i);
            uint value = 0;
            for (var j = 0; j < 4; j++) value = value << 8 | (j < n ? data[i + j] : (byte)0);
            var digits = new char[5];
            for (var j = 4; j >= 0; j--) { digits[j] = (char)('!' + value % 85); value /= 85; }
            output.Append(digits, 0, n + 1);
        }
        return output.ToString();
    }

    /// <summary>One page with <paramref name="count"/> extra image-less streams of zeros, each <paramref name="inflatedBytes"/> long.</summary>
    public static byte[] ManyStreams(int count, long inflatedBytes)
    {
        var compressed = Zeros(inflatedBytes);
        var objects = new List<byte[]>
        {
            Text("<< /Type /Catalog /Pages 2 0 R >>"),
            Text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Text($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Blobs [{string.Join(' ', Enumerable.Range(4, count).Select(n => $"{n} 0 R"))}] >>"),
        };
        for (var i = 0; i < count; i++) objects.Add(FlateStream("", compressed));
        return BuildBinary([.. objects]);
    }

    /// <summary>A flat page tree with <paramref name="pages"/> pages sharing one content stream.</summary>
    public static byte[] ManyPages(int pages)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(5, pages).Select(n => $"{n} 0 R"))}] /Count {pages} /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> >>",
            Stream("", "BT /F1 24 Tf 72 700 Td (A page) Tj ET\n"),
            Helvetica,
        };
        for (var i = 0; i < pages; i++) objects.Add("<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>");
        return Build([.. objects]);
    }

    public static byte[] Encrypted() => Build(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", "<< /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>"],
        trailerExtra: "/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]");

    public static byte[] NoCatalog() => Build(["<< /Type /Pages /Kids [] /Count 0 >>"], trailerExtra: "", root: "");

    /// <summary>
    /// A valid one-page PDF with <paramref name="length"/> more objects, each referring to the next (a recursive
    /// reader that follows references goes as deep as the chain is long).
    /// </summary>
    public static byte[] ReferenceChain(int length)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R /Chain 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        };
        for (var i = 0; i < length; i++) objects.Add(i == length - 1 ? "<< /End true >>" : $"<< /Next {i + 5} 0 R >>");
        return Build([.. objects]);
    }

    /// <summary>
    /// The sweep's active content: an /OpenAction that launches cmd.exe then runs JavaScript, document JavaScript and an
    /// embedded file in the name tree, document and page additional actions, and a link to a file: URI.
    /// </summary>
    public static byte[] ActiveContent() => Build(
        "<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /AA << /WC 8 0 R >> /Names << /JavaScript << /Names [(run) 8 0 R] >> " +
            "/EmbeddedFiles << /Names [(payload.exe) 9 0 R] >> >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R " +
            "/AA << /O 8 0 R >> /Annots [7 0 R 11 0 R " +
            // Written inline, not as objects of their own: a safe GoTo that chains to script, and a widget with event script.
            "<< /Type /Annot /Subtype /Link /Rect [72 520 300 540] /A << /S /GoTo /D [3 0 R /Fit] /Next << /S /JavaScript /JS (app.alert\\('chained'\\);) >> >> >> " +
            "<< /Type /Annot /Subtype /Widget /Rect [72 480 300 500] /AA << /O << /S /JavaScript /JS (app.alert\\('widget'\\);) >> >> >>] >>",
        Stream("", "BT /F1 24 Tf 72 700 Td (Contract with active content) Tj ET\n"),
        Helvetica,
        "<< /Type /Action /S /Launch /Win << /F (cmd.exe) /P (/c calc.exe) >> /Next 8 0 R >>",
        "<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /Border [0 0 0] /A << /S /URI /URI (file:///etc/passwd) >> >>",
        "<< /Type /Action /S /JavaScript /JS (app.alert\\('hostile'\\);) >>",
        "<< /Type /Filespec /F (payload.exe) /EF << /F 10 0 R >> >>",
        Stream("/Type /EmbeddedFile", "MZ not really an executable\n"),
        "<< /Type /Annot /Subtype /Link /Rect [72 560 300 580] /Border [0 0 0] /A << /S /URI /URI (https://example.com/terms) >> >>");

    /// <summary>A valid PDF whose last object is a content stream showing the text "/Encrypt" (near the end of the file).</summary>
    public static byte[] TextMentioningEncrypt() => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        Helvetica,
        Stream("", "BT /F1 14 Tf 72 700 Td (The sender may /Encrypt the archive copy.) Tj ET\n"));

    /// <summary>
    /// The fuzzer's find (PDFsharp's lexer loops forever on it): <c>startxref</c> is followed by <c>&lt;40</c> and the
    /// end of the file, so the reader, looking for the trailer, scans a hex string that never ends.
    /// </summary>
    public static byte[] HexStringCutOffByEndOfFile()
    {
        var pdf = Encoding.Latin1.GetString(Page());
        var at = pdf.LastIndexOf("startxref\n", StringComparison.Ordinal) + "startxref\n".Length;
        return Text(pdf[..at] + "<40\n%%EOF\n");
    }

    /// <summary>
    /// The fuzzer's second find: <c>%%EOF</c> replaced by a comment of unclosed <c>&lt;&lt; /A</c>, and <c>startxref</c>
    /// pointing at the second <c>&lt;</c> of the first <c>&lt;&lt;</c>: PDFsharp reads <c>&lt; /A &lt;&lt; /A …</c> there as a
    /// hex string and scans to the end of the file for its <c>&gt;</c>.
    /// </summary>
    public static byte[] StartxrefIntoCommentOfOpenDictionaries()
    {
        var pdf = Encoding.Latin1.GetString(Page());
        var startxref = pdf.LastIndexOf("startxref\n", StringComparison.Ordinal) + "startxref\n".Length;
        var head = pdf[..startxref];
        var comment = "%" + string.Concat(Enumerable.Repeat("<< /A ", 1100)) + "<<";
        var offset = head.Length + 8 + 2; // past "NNNNNNN\n", the '%' and the first '<'
        return Text(head + offset.ToString("D7", CultureInfo.InvariantCulture) + "\n" + comment);
    }

    /// <summary>Page content whose last token is a hex string with no closing bracket (PDFsharp's content lexer loops on it).</summary>
    public static byte[] HexStringCutOffInContent() => Page(content: "BT /F1 24 Tf 72 700 Td <48656C");

    /// <summary>
    /// A Letter page whose font, object 7, is stored compressed in object stream 6 as <paramref name="fontObject"/>;
    /// a cross-reference stream (object 8) lists it, so readers must read the object stream to find it.
    /// </summary>
    public static byte[] FontInObjectStream(string fontObject, string objectStreamEntries = "")
    {
        var objectStream = $"7 0 {fontObject}";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 7 0 R >> >> /Contents 4 0 R >>",
            Stream("", "BT /F1 24 Tf 72 700 Td (Object stream sample) Tj ET\n"),
            "<< /Producer (hostile) >>",
            Stream($"/Type /ObjStm /N 1 /First 4 {objectStreamEntries}", objectStream),
        ];
        var pdf = new MemoryStream();
        pdf.Write(Text("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n"));
        var offsets = new List<long>();
        foreach (var body in objects)
        {
            offsets.Add(pdf.Length);
            pdf.Write(Text($"{offsets.Count} 0 obj\n{body}\nendobj\n"));
        }
        var xrefAt = pdf.Length;
        // Rows of /W [1 4 2]: type, offset (or object stream number), generation (or index in the stream).
        var rows = new MemoryStream();
        void Row(byte type, long second, int third)
        {
            var row = new byte[7];
            row[0] = type;
            BinaryPrimitives.WriteUInt32BigEndian(row.AsSpan(1), (uint)second);
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(5), (ushort)third);
            rows.Write(row);
        }
        Row(0, 0, 65535);
        foreach (var offset in offsets) Row(1, offset, 0);
        Row(2, 6, 0);        // object 7: first object in object stream 6
        Row(1, xrefAt, 0);   // object 8: this cross-reference stream
        pdf.Write(Text($"8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Info 5 0 R /Length {rows.Length} >>\nstream\n"));
        pdf.Write(rows.ToArray());
        pdf.Write(Text($"\nendstream\nendobj\nstartxref\n{xrefAt}\n%%EOF\n"));
        return pdf.ToArray();
    }

    private const string Helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

    private static string Stream(string entries, string content) =>
        $"<< {entries} /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}endstream";

    private static byte[] Text(string s) => Encoding.Latin1.GetBytes(s);

    public static byte[] FlateStreamBytes(byte[] compressed) => FlateStream("", compressed);

    private static byte[] FlateStream(string entries, byte[] compressed) =>
        [.. Text($"<< {entries} /Filter /FlateDecode /Length {compressed.Length} >>\nstream\n"), .. compressed, .. Text("\nendstream")];

    /// <summary>zlib-compressed zeros, made a chunk at a time (1 GiB of zeros compresses to about 1 MB).</summary>
    public static byte[] Zeros(long count)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var chunk = new byte[1024 * 1024];
            for (var left = count; left > 0; left -= chunk.Length) zlib.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }
        return output.ToArray();
    }

    public static byte[] Build(params string[] objects) => Build(objects, trailerExtra: "");

    public static byte[] Build(string[] objects, string trailerExtra, string root = "/Root 1 0 R") =>
        BuildBinary(objects.Select(Text).ToArray(), trailerExtra, root);

    public static byte[] BuildBinary(params byte[][] objects) => BuildBinary(objects, "", "/Root 1 0 R");

    private static byte[] BuildBinary(byte[][] objects, string trailerExtra, string root)
    {
        var pdf = new MemoryStream();
        pdf.Write(Text("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n"));
        var offsets = new List<long>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Write(Text($"{i + 1} 0 obj\n"));
            pdf.Write(objects[i]);
            pdf.Write(Text("\nendobj\n"));
        }
        var xref = pdf.Length;
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) table.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} {root} {trailerExtra} >>\nstartxref\n{xref}\n%%EOF\n");
        pdf.Write(Text(table.ToString()));
        return pdf.ToArray();
    }
}

/// <summary>Signature images that are PNG on the outside only.</summary>
public static class HostilePngs
{
    /// <summary>A valid signature PNG whose IDAT bytes are replaced by garbage (the sweep's unsealable request).</summary>
    public static byte[] GarbageIdat()
    {
        var png = ESign.Hub.Samples.TestPngs.Signature();
        // The IDAT chunk follows the 8-byte signature and the 25-byte IHDR chunk.
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33, 4));
        var random = new Random(11);
        random.NextBytes(png.AsSpan(41, length));
        // Fix the chunk's CRC so only the compressed pixels are wrong.
        var crc = Crc32(png.AsSpan(37, 4 + length));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(41 + length, 4), crc);
        return png;
    }

    /// <summary>A signature PNG cut short inside its pixel data.</summary>
    public static byte[] Truncated() => ESign.Hub.Samples.TestPngs.Signature()[..60];

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
