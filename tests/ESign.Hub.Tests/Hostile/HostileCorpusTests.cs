using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ESign.Hub.Samples;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Hostile;

/// <summary>
/// The hostile corpus and a fuzzer against the hub as its own process: a crash (a stack overflow cannot be caught) ends
/// the process, not the test run. After them the hub must be alive, ready, within a memory bound, and hold its earlier
/// data unchanged.
/// </summary>
public sealed class HostileCorpusTests : IAsyncLifetime
{
    private const string Key = "esk_test_hostile_corpus_key_0123456789abcd";
    private const long MemoryBound = 1536L * 1024 * 1024;
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(10);

    private readonly string _data = Directory.CreateTempSubdirectory("esign-hub-hostile-").FullName;
    private KillableHub _hub = null!;

    // The fuzz loop sends as fast as the hub answers: the per-key rate limit is not what it tests.
    public async Task InitializeAsync() => _hub = await KillableHub.StartAsync(_data, Key, new Dictionary<string, string>
    {
        ["Hub:RateLimit:PermitsPerSecond"] = "100000",
        ["Hub:RateLimit:Burst"] = "100000",
    });

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Hostile_corpus_gets_4xx_answers_and_the_hub_survives_unchanged()
    {
        var before = await EarlierDataAsync();
        var failures = new List<string>();
        foreach (var hostile in HostilePdfs.All())
        {
            var (status, detail, elapsed) = await UploadAsync(hostile.Content);
            if (_hub.HasExited) Assert.Fail($"The hub process died on '{hostile.Name}'.");
            if (status >= 500 || elapsed > AnswerWithin || (hostile.MustBeRefused && status != 422))
                failures.Add($"{hostile.Name}: {status} after {elapsed.TotalSeconds:0.0} s: {detail}");
        }
        foreach (var (name, png) in HostileSignatureImages())
        {
            var signer = await NewSignerAsync();
            var (status, detail, elapsed) = await SignAsync(signer, png);
            if (_hub.HasExited) Assert.Fail($"The hub process died on signature image '{name}'.");
            if (status != 422 || elapsed > AnswerWithin) failures.Add($"signature image {name}: {status} after {elapsed.TotalSeconds:0.0} s: {detail}");
        }
        Assert.Empty(failures);
        await AssertHealthyAndUnchangedAsync(before);
    }

    /// <summary>
    /// Mutates valid PDFs (classic and cross-reference-stream files) and signature PNGs with a fixed seed: no answer may
    /// be a 5xx, take over 10 s, or end the process. A fixed number of mutations, so every machine sends the same ones;
    /// the same sequence was run a million mutations further, in process, before this count was set.
    /// </summary>
    [Fact]
    public async Task Fuzzed_pdfs_and_signature_images_never_get_a_5xx_or_a_slow_answer()
    {
        var before = await EarlierDataAsync();
        var random = new Random(20240611);
        var failures = new List<string>();
        var runs = 0;
        while (runs < FuzzedPdfs)
        {
            var pdf = PdfMutator.Mutate(FuzzSeeds[random.Next(FuzzSeeds.Length)], random);
            var (status, detail, elapsed) = await UploadAsync(pdf);
            runs++;
            if (_hub.HasExited)
            {
                var path = Path.Combine(Path.GetTempPath(), $"hostile-fuzz-crash-{runs}.pdf");
                await File.WriteAllBytesAsync(path, pdf);
                Assert.Fail($"The hub process died on fuzzed PDF {runs} (saved to {path}).");
            }
            if (status >= 500 || elapsed > AnswerWithin) failures.Add($"fuzzed PDF {runs}: {status} after {elapsed.TotalSeconds:0.0} s: {detail}");
        }
        var signer = await NewSignerAsync();
        for (var i = 0; i < 40; i++)
        {
            var png = PdfMutator.MutatePng(TestPngs.Signature(seed: i), random);
            var (status, detail, elapsed) = await SignAsync(signer, png);
            if (_hub.HasExited) Assert.Fail($"The hub process died on fuzzed PNG {i}.");
            if (status >= 500 || elapsed > AnswerWithin) failures.Add($"fuzzed PNG {i}: {status} after {elapsed.TotalSeconds:0.0} s: {detail}");
            if (status == 200) signer = await NewSignerAsync(); // a mutation the decoder accepted signed this one
        }
        Assert.Empty(failures);
        await AssertHealthyAndUnchangedAsync(before);
    }

    private const int FuzzedPdfs = 15_000;

    /// <summary>What the fuzzer mutates.</summary>
    public static readonly byte[][] FuzzSeeds =
    [
        TestPdfs.Letter(2), HostilePdfs.Page(), HostilePdfs.ActiveContent(), HostilePdfs.ManyPages(3), HostilePdfs.FlateBomb(4096),
        HostilePdfs.FontInObjectStream("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ];

    private static IEnumerable<(string Name, byte[] Png)> HostileSignatureImages()
    {
        yield return ("valid IHDR, garbage IDAT", HostilePngs.GarbageIdat());
        yield return ("cut short", HostilePngs.Truncated());
        yield return ("header only", TestPngs.Signature()[..33]);
    }

    private sealed record Earlier(string DocumentId, string DocumentJson, byte[] Bytes, string RequestId, string RequestJson);

    /// <summary>Data stored before the hostile input: a document and a signature request, to compare afterwards.</summary>
    private async Task<Earlier> EarlierDataAsync()
    {
        var documentId = await _hub.Http.UploadPdfAsync(TestPdfs.Letter(2));
        var request = await _hub.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId));
        var requestId = (string)request["id"]!;
        return new(documentId, await _hub.Http.GetStringAsync($"/v1/documents/{documentId}"),
            await _hub.Http.GetByteArrayAsync($"/v1/documents/{documentId}/download"),
            requestId, await _hub.Http.GetStringAsync($"/v1/signature-requests/{requestId}"));
    }

    private async Task AssertHealthyAndUnchangedAsync(Earlier before)
    {
        Assert.False(_hub.HasExited, "The hub process exited.");
        Assert.Equal(HttpStatusCode.OK, (await _hub.Http.GetAsync("/readyz")).StatusCode);
        Assert.True(_hub.ResidentBytes < MemoryBound, $"The hub holds {_hub.ResidentBytes / 1048576} MB, over the {MemoryBound / 1048576} MB bound.");
        Assert.Equal(before.DocumentJson, await _hub.Http.GetStringAsync($"/v1/documents/{before.DocumentId}"));
        Assert.Equal(before.Bytes, await _hub.Http.GetByteArrayAsync($"/v1/documents/{before.DocumentId}/download"));
        Assert.Equal(before.RequestJson, await _hub.Http.GetStringAsync($"/v1/signature-requests/{before.RequestId}"));
    }

    private async Task<(int Status, string Detail, TimeSpan Elapsed)> UploadAsync(byte[] pdf)
    {
        using var form = HttpExtensions.PdfForm(pdf);
        return await TimedAsync(() => _hub.Http.PostAsync("/v1/documents", form));
    }

    /// <summary>A signer of a new one-signer request, consented and ready to sign.</summary>
    private async Task<HttpClient> NewSignerAsync()
    {
        var documentId = await _hub.Http.UploadPdfAsync(TestPdfs.Letter(1));
        var request = await _hub.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = documentId,
            ["title"] = "Hostile signature",
            ["signers"] = new object[] { new { name = "Ann Lee", email = "ann@example.com" } },
            ["fields"] = new object[] { new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 36 } },
        });
        var token = new Uri((string)request["signers"]![0]!["signing_url"]!).Segments[^1];
        var signer = new HttpClient { BaseAddress = new Uri(_hub.BaseAddress, $"/sign/{token}/") };
        signer.DefaultRequestHeaders.UserAgent.ParseAdd("SignerBrowser/1.0");
        (await signer.PostJsonAsync("consent", new { })).EnsureSuccessStatusCode();
        return signer;
    }

    private static Task<(int Status, string Detail, TimeSpan Elapsed)> SignAsync(HttpClient signer, byte[] png) =>
        TimedAsync(() => signer.PostJsonAsync("sign", new { signature = new { method = "drawn", image_png_base64 = Convert.ToBase64String(png) } }));

    private static async Task<(int Status, string Detail, TimeSpan Elapsed)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await send().WaitAsync(AnswerWithin + TimeSpan.FromSeconds(20));
            var body = await response.Content.ReadAsStringAsync();
            var detail = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (string?)JsonNode.Parse(body)?["detail"] ?? body : body[..Math.Min(200, body.Length)];
            return ((int)response.StatusCode, detail, clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException)
        {
            return (599, $"no answer: {e.Message}", clock.Elapsed);
        }
    }
}

/// <summary>Byte-level mutations of a valid file, chosen by the caller's seeded <see cref="Random"/>.</summary>
public static class PdfMutator
{
    private static readonly string[] Tokens =
        ["[", "]", "<<", ">>", "(", ")", "0 0 R", "2 0 R", "3 0 R", "/Kids [2 0 R]", "/Parent 3 0 R", "stream\n", "endstream", "endobj",
         "/Filter /FlateDecode", "/Length 999999999", "-1", "99999999999999999999", "/MediaBox [0 0 -1 1e308]", "/Count -5", "%%EOF",
         "xref\n0 1\n", "trailer << /Root 2 0 R >>", "/Type /ObjStm /N 999999 /First 0", "<FFFE>", "1 0 obj", "null"];

    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: // flip a byte
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1: // insert a structural token
                    bytes.InsertRange(at, System.Text.Encoding.Latin1.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 2: // delete a run
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                    break;
                case 3: // duplicate a run somewhere else
                    var length = Math.Min(random.Next(1, 256), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 4: // repeat a nesting opener many times
                    bytes.InsertRange(at, System.Text.Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "[" : "<< /A ", random.Next(50, 5000)))));
                    break;
                default: // truncate
                    bytes.RemoveRange(Math.Max(at, 10), bytes.Count - Math.Max(at, 10));
                    break;
            }
            if (bytes.Count < 16) bytes = seed.ToList();
        }
        return [.. bytes];
    }

    public static byte[] MutatePng(byte[] png, Random random)
    {
        var bytes = (byte[])png.Clone();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            // Keep the signature most of the time so the decoder, not the magic check, meets the damage.
            var at = random.Next(8, bytes.Length);
            if (random.Next(4) == 0) bytes = bytes[..at];
            else bytes[at] = (byte)random.Next(256);
        }
        return bytes;
    }
}
