using System.Net;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Hostile;

/// <summary>A hub with small document limits, so a test can go just over each one.</summary>
public sealed class SmallLimitsHub() : HubFactory(Database.Sqlite)
{
    public const int MaxPages = 50;
    public const int MaxStreamBytes = 4 * 1024 * 1024;
    public const int MaxDocumentBytes = 10 * 1024 * 1024;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Hub:MaxUploadBytes"] = (25 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hub:Documents:MaxPages"] = MaxPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hub:Documents:MaxStreamDecompressedBytes"] = MaxStreamBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hub:Documents:MaxDocumentDecompressedBytes"] = MaxDocumentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Uploads of PDFs built to crash, exhaust or fool PDF readers answer 422 naming the problem; honest PDFs near them are accepted.</summary>
public sealed class HostilePdfUploadTests(SmallLimitsHub hub) : IClassFixture<SmallLimitsHub>
{
    public static TheoryData<string, string> RefusedPdfs => new()
    {
        { "self-referencing page tree", "refers back to itself" },
        { "kids point back at parent", "refers back to itself" },
        { "30,000 nested /Pages", "more than 64 levels deep" },
        { "65 nested /Pages", "more than 64 levels deep" },
        { "parent chain loop", "/Parent chain of page 1 loops" },
        { "deep array in object", "more than 100 levels deep" },
        { "deep dictionary", "more than 100 levels deep" },
        { "deep array in content", "page content (object 4) nests" },
        { "negative empty MediaBox", "MediaBox [0 0 -612 0]" },
        { "MediaBox over 14,400 points", "between 1 and 14400 points" },
        { "no catalog", "no document catalog" },
        { "encrypted", "encrypted" },
        { "double flate bomb", "compressed twice over" },
        { "hex flate bomb", "it may be a decompression bomb" },
        { "indirect filter", "filters indirectly" },
        { "hex string cut off in page content", "page content (object 4) has a hex string (at byte 23) that never ends with '>'" },
        { "hex string cut off in an object stream", "object stream 6 is damaged: the hex string at byte" },
        { "object stream that is also a form", "object stream 6 is damaged: the hex string at byte" },
        { "hex string after the name /ID", "has a hex string (at byte 27) that never ends" },
        { "deep arrays after the name /ID", "nests arrays or dictionaries more than 100 levels deep" },
        { "string cut off in page content", "has a string (at byte 23) that never ends with ')'" },
        { "UTF-16 string whose ')' is a low byte", "has a UTF-16 string (at byte 3) that never ends" },
        { "BI that never reaches ID", "whose BI never reaches ID" },
        { "inline image data without EI", "whose data never ends with EI" },
        { "ASCII85 inline image without ~>", "whose data never ends with '~>'" },
        { "dictionary cut off in page content", "has a dictionary (at byte 3) that never ends with '>>'" },
    };

    private static byte[] Pdf(string name) => name switch
    {
        "self-referencing page tree" => HostilePdfs.SelfReferencingPageTree(),
        "kids point back at parent" => HostilePdfs.KidsPointBackAtParent(),
        "30,000 nested /Pages" => HostilePdfs.DeepPageTree(30_000),
        "64 nested /Pages" => HostilePdfs.DeepPageTree(63), // 63 /Pages nodes plus the page: 64 levels
        "65 nested /Pages" => HostilePdfs.DeepPageTree(64),
        "parent chain loop" => HostilePdfs.ParentChainLoop(),
        "deep array in object" => HostilePdfs.DeepArrayInObject(10_000),
        "deep dictionary" => HostilePdfs.DeepDictionary(10_000),
        "deep array in content" => HostilePdfs.DeepArrayInContent(10_000),
        "negative empty MediaBox" => HostilePdfs.Page("/MediaBox [0 0 -612 0]"),
        "MediaBox over 14,400 points" => HostilePdfs.Page("/MediaBox [0 0 14400.5 792]"),
        "no catalog" => HostilePdfs.NoCatalog(),
        "encrypted" => HostilePdfs.Encrypted(),
        "double flate bomb" => HostilePdfs.DoubleFlateBomb(64L * 1024 * 1024),
        "hex flate bomb" => HostilePdfs.HexFlateBomb(SmallLimitsHub.MaxStreamBytes + 1),
        "indirect filter" => HostilePdfs.IndirectFilterBomb(1024),
        "hex string cut off in page content" => HostilePdfs.HexStringCutOffInContent(),
        "hex string cut off in an object stream" => HostilePdfs.FontInObjectStream("<4142"),
        // Page content is checked as content; as an object stream, PDFsharp's file lexer reads it from its header's offsets.
        "object stream that is also a form" => HostilePdfs.FontInObjectStream("%<4142", "/Subtype /Form"),
        "hex string after the name /ID" => HostilePdfs.Page(content: "BT /F1 24 Tf 72 700 Td /ID <4"),
        "deep arrays after the name /ID" => HostilePdfs.Page(content: "/ID " + new string('[', 10_000)),
        "string cut off in page content" => HostilePdfs.Page(content: "BT /F1 24 Tf 72 700 Td (never closed"),
        // 8-bit, "(" FE FF "A)" closes; read as UTF-16 pairs, as PDFsharp does, "A)" is U+4129 and the string runs on.
        "UTF-16 string whose ')' is a low byte" => HostilePdfs.Page(content: "BT (\u00FE\u00FFA) Tj ET"),
        "BI that never reaches ID" => HostilePdfs.Page(content: "BT ET BI /W 1 /H 1"),
        "inline image data without EI" => HostilePdfs.Page(content: "BI /W 1 /H 1 /BPC 8 /CS /G ID x"),
        "ASCII85 inline image without ~>" => HostilePdfs.Page(content: "BI /W 4 /H 1 /BPC 8 /CS /G /F /A#385 ID 8<[ EI Q"),
        "dictionary cut off in page content" => HostilePdfs.Page(content: "/P <</MCID 0 BDC"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public async Task A_page_written_as_ascii85_over_flate_is_accepted_and_reads()
    {
        var account = await hub.NewAccountAsync();
        var id = await account.Http.UploadPdfAsync(HostilePdfs.Ascii85FlatePage());
        var pdf = await account.Http.GetByteArrayAsync($"/v1/documents/{id}/download");
        Assert.Contains("Ascii85 sample", await PdfTools.Text(pdf));
    }

    [Theory]
    [MemberData(nameof(RefusedPdfs))]
    public async Task Hostile_pdf_is_refused_with_422_naming_the_problem(string name, string expected)
    {
        var account = await hub.NewAccountAsync();
        var response = await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(Pdf(name)));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(expected, (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/MediaBox [0 0 14400 14400]")]
    [InlineData("/MediaBox [0 0 -612 -792]")] // a rectangle given by its other corners is still Letter
    [InlineData("/MediaBox [0 0 1 1]")]
    public async Task Pages_of_any_real_size_are_accepted(string entries)
    {
        var account = await hub.NewAccountAsync();
        var id = await account.Http.UploadPdfAsync(HostilePdfs.Page(entries));
        var document = await (await account.Http.GetAsync($"/v1/documents/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)document["page_count"]!);
        Assert.True((double)document["pages"]![0]!["width"]! > 0 && (double)document["pages"]![0]!["height"]! > 0, document.ToJsonString());
    }

    /// <summary>
    /// PDFsharp's lexer looped forever on these (the fuzzer found them): it lands on a '&lt;' near the end of the file and
    /// scans for the '&gt;' that would end a hex string. Whatever a reader makes of them, the answer comes at once.
    /// </summary>
    [Theory]
    [InlineData("hex string cut off by the end of the file")]
    [InlineData("startxref into a comment of unclosed dictionaries")]
    public async Task Files_whose_end_cuts_a_hex_string_off_get_a_prompt_answer(string name)
    {
        var pdf = name == "hex string cut off by the end of the file" ? HostilePdfs.HexStringCutOffByEndOfFile() : HostilePdfs.StartxrefIntoCommentOfOpenDictionaries();
        var account = await hub.NewAccountAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(pdf)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The upload took {clock.Elapsed.TotalSeconds:0.0} s.");
        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("The PDF is damaged", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    /// <summary>Hex strings that do end, and '&lt;' bytes no lexer reads as one, are not taken for the cut-off kind.</summary>
    [Theory]
    [InlineData("closed hex string in content")]
    [InlineData("'<' in inline image data")]
    [InlineData("'<' in a comment after %%EOF")]
    [InlineData("'<' in a literal string")]
    [InlineData("object stream")]
    [InlineData("ASCII85 inline image with EI, '<', '[' and '(' in its data")]
    [InlineData("strings with escapes, nested parentheses and a line continuation")]
    [InlineData("UTF-16 string")]
    [InlineData("marked content with a property dictionary")]
    public async Task Hex_strings_that_end_and_other_angle_brackets_are_accepted(string name)
    {
        var pdf = name switch
        {
            "closed hex string in content" => HostilePdfs.Page(content: "BT /F1 24 Tf 72 700 Td <48656C6C6F> Tj ET\n"),
            "'<' in inline image data" => HostilePdfs.Page(content: "q 8 0 0 8 72 600 cm BI /W 2 /H 1 /BPC 8 /CS /G ID \u003c\u0001 EI Q\n"),
            "'<' in a comment after %%EOF" => [.. HostilePdfs.Page(), .. "% <note\n"u8.ToArray()],
            "'<' in a literal string" => HostilePdfs.Page(content: "BT /F1 24 Tf 72 700 Td (a < b) Tj ET\n"),
            "object stream" => HostilePdfs.FontInObjectStream("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            "ASCII85 inline image with EI, '<', '[' and '(' in its data" =>
                HostilePdfs.Page(content: "q 4 0 0 1 72 600 cm BI /W 4 /H 1 /BPC 8 /CS /G /F /A85 ID 8<[ EI (z~> EI Q\n"),
            "strings with escapes, nested parentheses and a line continuation" =>
                HostilePdfs.Page(content: "BT /F1 12 Tf 72 700 Td (a \\) b \\( (c) \\\\ d \\\n e) Tj ET\n"),
            "UTF-16 string" => HostilePdfs.Page(content: "BT /F1 12 Tf 72 700 Td (\u00FE\u00FF\u0000A\u0000\u0029 Tj ET\n"),
            "marked content with a property dictionary" =>
                HostilePdfs.Page(content: "/P <</MCID 0 /Alt (a > b) /ActualText <FEFF0041>>> BDC BT /F1 12 Tf 72 700 Td (x) Tj ET EMC\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var account = await hub.NewAccountAsync();
        var id = await account.Http.UploadPdfAsync(pdf);
        var document = await (await account.Http.GetAsync($"/v1/documents/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)document["page_count"]!);
    }

    [Fact]
    public async Task A_page_tree_64_levels_deep_is_accepted()
    {
        var account = await hub.NewAccountAsync();
        var id = await account.Http.UploadPdfAsync(Pdf("64 nested /Pages"));
        var document = await (await account.Http.GetAsync($"/v1/documents/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)document["page_count"]!);
    }

    [Fact]
    public async Task Text_that_mentions_Encrypt_is_not_taken_for_encryption()
    {
        var account = await hub.NewAccountAsync();
        var id = await account.Http.UploadPdfAsync(HostilePdfs.TextMentioningEncrypt());
        var pdf = await account.Http.GetByteArrayAsync($"/v1/documents/{id}/download");
        Assert.Contains("/Encrypt", await PdfTools.Text(pdf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_limit_is_kept_to_the_page()
    {
        var account = await hub.NewAccountAsync();
        await account.Http.UploadPdfAsync(HostilePdfs.ManyPages(SmallLimitsHub.MaxPages));
        var response = await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(HostilePdfs.ManyPages(SmallLimitsHub.MaxPages + 1)));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("more than 50 pages", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Hub:Documents:MaxPages", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_may_inflate_to_the_limit_and_not_one_byte_more()
    {
        var account = await hub.NewAccountAsync();
        await account.Http.UploadPdfAsync(HostilePdfs.FlateBomb(SmallLimitsHub.MaxStreamBytes));
        var response = await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(HostilePdfs.FlateBomb(SmallLimitsHub.MaxStreamBytes + 1)));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Hub:Documents:MaxStreamDecompressedBytes", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_may_inflate_to_the_limit_and_not_one_byte_more()
    {
        var account = await hub.NewAccountAsync();
        const int half = SmallLimitsHub.MaxDocumentBytes / 4;
        // Four streams of a quarter each, plus the page's content stream (not compressed), is exactly the limit.
        await account.Http.UploadPdfAsync(HostilePdfs.ManyStreams(4, half));
        var response = await account.Http.PostAsync("/v1/documents",
            HttpExtensions.PdfForm(ManyStreamsPlusOne(half)));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Hub:Documents:MaxDocumentDecompressedBytes", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    /// <summary>Four streams of <paramref name="size"/> and a fifth of one byte.</summary>
    private static byte[] ManyStreamsPlusOne(long size) => HostilePdfs.BuildBinary(
        System.Text.Encoding.Latin1.GetBytes("<< /Type /Catalog /Pages 2 0 R >>"),
        System.Text.Encoding.Latin1.GetBytes("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        System.Text.Encoding.Latin1.GetBytes("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Blobs [4 0 R 5 0 R 6 0 R 7 0 R 8 0 R] >>"),
        HostilePdfs.FlateStreamBytes(HostilePdfs.Zeros(size)), HostilePdfs.FlateStreamBytes(HostilePdfs.Zeros(size)),
        HostilePdfs.FlateStreamBytes(HostilePdfs.Zeros(size)), HostilePdfs.FlateStreamBytes(HostilePdfs.Zeros(size)),
        HostilePdfs.FlateStreamBytes(HostilePdfs.Zeros(1)));
}
