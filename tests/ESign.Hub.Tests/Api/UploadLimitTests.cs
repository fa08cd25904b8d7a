using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

/// <summary>
/// Uploads at and over Hub:MaxUploadBytes against the hub as its own process, so Kestrel's own body limit is in play:
/// every size over the limit answers 413 naming it, in both encodings, with a known length or chunked, and nothing is
/// stored. Sizes: one byte over, between the form reader's old limit and Kestrel's (27 and 30 MiB), and far over both.
/// </summary>
public sealed class UploadLimitTests(UploadLimitTests.DefaultLimitHub fixture) : IClassFixture<UploadLimitTests.DefaultLimitHub>
{
    private const long Limit = 25 * 1024 * 1024; // the default, which this hub keeps
    private const long MiB = 1024 * 1024;
    private readonly KillableHub _hub = fixture.Hub;
    private readonly string _data = fixture.DataDirectory;

    /// <summary>One hub process with the default upload limit for every test in the class.</summary>
    public sealed class DefaultLimitHub : IAsyncLifetime
    {
        public string DataDirectory { get; } = Directory.CreateTempSubdirectory("esign-hub-upload-").FullName;
        public KillableHub Hub { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Hub = await KillableHub.StartAsync(DataDirectory, "esk_test_upload_limit_tests_0123456789", new Dictionary<string, string>());

        public async Task DisposeAsync()
        {
            await Hub.DisposeAsync();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    public enum Encoding { Multipart, MultipartChunked, MultipartWithIdempotencyKey, Json, JsonChunked }

    public static TheoryData<long, Encoding> OverTheLimit()
    {
        var data = new TheoryData<long, Encoding>();
        foreach (var size in new[] { Limit + 1, 27 * MiB, 30 * MiB, 40 * MiB })
            foreach (var encoding in Enum.GetValues<Encoding>())
                data.Add(size, encoding);
        return data;
    }

    [Theory]
    [MemberData(nameof(OverTheLimit))]
    public async Task An_upload_over_the_limit_is_413_naming_the_limit_and_stores_nothing(long size, Encoding encoding)
    {
        var (rowsBefore, filesBefore) = (await DocumentRowsAsync(), StoredPdfs());

        var response = await SendAsync(TestPdfs.OfSize(size), encoding);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var detail = (string)problem["detail"]!;
        Assert.Contains(Limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), detail);
        Assert.Contains("Hub:MaxUploadBytes", detail);
        Assert.Equal(rowsBefore, await DocumentRowsAsync());
        Assert.Equal(filesBefore, StoredPdfs());
        Assert.Equal(HttpStatusCode.OK, (await _hub.Http.GetAsync("/readyz")).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_oversized_json_body_on_a_bound_endpoint_is_413_naming_the_limit(bool chunked)
    {
        // Minimal API parameter binding reads these bodies itself (it catches the 413 and only sets the status).
        var json = System.Text.Encoding.UTF8.GetBytes($$"""{ "name": "big", "content": "{{new string('x', 36 * 1024 * 1024)}}" }""");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/templates")
        {
            Content = chunked ? new StreamContent(new UnknownLengthStream(json)) : new ByteArrayContent(json),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var problem = await (await _hub.Http.SendAsync(request)).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("Hub:MaxUploadBytes", (string)problem["detail"]!);
    }

    [Theory]
    [InlineData(Encoding.Multipart)]
    [InlineData(Encoding.Json)]
    public async Task An_upload_of_exactly_the_limit_is_stored(Encoding encoding)
    {
        var pdf = TestPdfs.OfSize(Limit);

        var document = await (await SendAsync(pdf, encoding)).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(Limit, (long)document["size_bytes"]!);
        var download = await _hub.Http.GetByteArrayAsync($"/v1/documents/{document["id"]}/download");
        Assert.Equal(pdf, download);
    }

    private Task<HttpResponseMessage> SendAsync(byte[] pdf, Encoding encoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/documents");
        switch (encoding)
        {
            case Encoding.Multipart:
            case Encoding.MultipartChunked:
            case Encoding.MultipartWithIdempotencyKey:
                var form = new MultipartFormDataContent();
                HttpContent file = encoding == Encoding.MultipartChunked
                    ? new StreamContent(new UnknownLengthStream(pdf))
                    : new ByteArrayContent(pdf);
                file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                form.Add(file, "file", "big.pdf");
                request.Content = form;
                if (encoding == Encoding.MultipartWithIdempotencyKey) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                break;
            default:
                var json = System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["name"] = "big.pdf", ["content_base64"] = Convert.ToBase64String(pdf) }.ToJsonString());
                request.Content = encoding == Encoding.JsonChunked ? new StreamContent(new UnknownLengthStream(json)) : new ByteArrayContent(json);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                break;
        }
        return _hub.Http.SendAsync(request);
    }

    /// <summary>Documents in the hub's own SQLite database (there is no list endpoint for documents).</summary>
    private async Task<long> DocumentRowsAsync()
    {
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_data, "hub.db")};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM Documents";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private string[] StoredPdfs() =>
        Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".pdf", StringComparison.Ordinal)).Order().ToArray();

    /// <summary>A body whose length the client does not know, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
