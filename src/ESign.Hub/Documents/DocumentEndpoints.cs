using System.Security.Cryptography;
using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Storage.Blobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Documents;

/// <summary>JSON form of an upload, for callers that cannot send multipart.</summary>
public sealed record UploadDocumentJson(string? Name, string? ContentBase64);

public sealed record DocumentResponse(
    string Id, string Name, string Sha256, int PageCount, long SizeBytes, bool TestMode, DateTime CreatedAt, IReadOnlyList<PageSize> Pages)
{
    public static DocumentResponse From(Document d) =>
        new(d.Id, d.Name, d.Sha256, d.PageCount, d.SizeBytes, d.TestMode, d.CreatedAt, d.PageSizes);
}

public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/v1/documents").WithTags("Documents").ProducesAuthProblems();
        documents.MapPost("/", UploadDocument).WithName("UploadDocument")
            .WithSummary("Upload a PDF (multipart field 'file', or JSON with content_base64)")
            .WithDescription("multipart/form-data: the PDF in field 'file' (optional field 'name'). application/json: { name, content_base64 }. " +
                "A file that is not a PDF, is damaged or is encrypted answers 422; one over Hub:MaxUploadBytes answers 413.")
            // One Accepts call: a second would replace the first and the route would refuse the other content type.
            .Accepts<UploadDocumentJson>("application/json", "multipart/form-data")
            .DisableAntiforgery()
            .ProducesProblems(400, 413, 415, 422)
            .RequireScope(Scopes.DocumentsWrite);
        documents.MapGet("/{id}", GetDocument).WithName("GetDocument").WithSummary("A document's details").ProducesProblems(404)
            .RequireScope(Scopes.DocumentsRead);
        documents.MapGet("/{id}/download", DownloadDocument).WithName("DownloadDocument").WithSummary("The document's PDF bytes")
            .Produces(200, contentType: "application/pdf").ProducesProblems(404, 410)
            .RequireScope(Scopes.DocumentsRead);
        return app;
    }

    private static async Task<Results<Created<DocumentResponse>, ProblemHttpResult>> UploadDocument(
        HttpContext http, DocumentStore store, IOptions<HubOptions> options, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var limit = options.Value.MaxUploadBytes;
        string? name;
        byte[] content;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file");
            if (file is null) return Problems.BadRequest("Send the PDF in a multipart field named 'file'.");
            if (file.Length > limit) return TooLarge(limit);
            name = form["name"].FirstOrDefault() ?? file.FileName;
            content = new byte[file.Length];
            await using (var s = file.OpenReadStream()) await s.ReadExactlyAsync(content, ct);
        }
        else if (http.Request.HasJsonContentType())
        {
            UploadDocumentJson? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<UploadDocumentJson>(http.Request.Body, json.Value.SerializerOptions, ct);
            }
            catch (JsonException e)
            {
                return Problems.BadRequest($"The request body is not valid JSON: {e.Message}");
            }
            if (string.IsNullOrEmpty(body?.ContentBase64))
                return Problems.BadRequest("Send the PDF as base64 in 'content_base64'.");
            if (body.ContentBase64.Length / 4L * 3 > limit + 3) return TooLarge(limit);
            try
            {
                content = Convert.FromBase64String(body.ContentBase64);
            }
            catch (FormatException)
            {
                return Problems.BadRequest("'content_base64' is not valid base64.");
            }
            name = body.Name;
        }
        else
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported media type",
                detail: "Upload the PDF as multipart/form-data (field 'file') or as application/json with 'content_base64'.");
        }
        if (content.Length > limit) return TooLarge(limit);

        var created = await store.AddAsync(content, name, ct);
        if (created.Problem is not null) return Problems.Unprocessable(created.Problem);
        var document = created.Document!;
        return TypedResults.Created($"/v1/documents/{document.Id}", DocumentResponse.From(document));
    }

    private static async Task<Results<Ok<DocumentResponse>, ProblemHttpResult>> GetDocument(string id, HubDbContext db, CancellationToken ct)
    {
        var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        return document is null ? Problems.NotFound("document", id) : TypedResults.Ok(DocumentResponse.From(document));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadDocument(
        string id, HubDbContext db, IBlobStore blobs, CancellationToken ct)
    {
        var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (document is null) return Problems.NotFound("document", id);
        var stream = await blobs.OpenReadAsync(document.BlobKey, ct);
        if (stream is null)
            return TypedResults.Problem(statusCode: 410, title: "Gone", detail: $"The bytes of document '{id}' are no longer in the blob store.");
        return TypedResults.Stream(stream, "application/pdf", document.Name,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{document.Sha256}\""));
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        Problems.TooLarge($"The PDF is larger than the {limit:N0} bytes ({limit / (1024 * 1024.0):0.#} MB) this hub accepts (Hub:MaxUploadBytes). Compress it or split it.");
}

/// <summary>Validates, stores and records documents; also used by later parts that produce PDFs (signed, generated).</summary>
public sealed class DocumentStore(HubDbContext db, IBlobStore blobs, TenantScope tenant, TimeProvider clock, IOptions<HubOptions> options)
{
    public sealed record Result(Document? Document, string? Problem);

    /// <summary>Adds an upload of the authenticated caller.</summary>
    public Task<Result> AddAsync(byte[] content, string? name, CancellationToken ct, string? sourceKey = null)
    {
        var caller = tenant.Caller ?? throw new InvalidOperationException("DocumentStore needs an authenticated caller.");
        return AddAsync(caller.AccountId, caller.TestMode, content, name, PdfLimits.From(options.Value.Documents), ct, sourceKey);
    }

    /// <summary>
    /// Adds a sealed PDF for an account. It is checked like an upload, but without the page limit: it is a checked
    /// original plus the audit certificate's pages.
    /// </summary>
    public Task<Result> AddSealedAsync(string accountId, bool testMode, byte[] content, string? name, CancellationToken ct) =>
        AddAsync(accountId, testMode, content, name, PdfLimits.From(options.Value.Documents) with { MaxPages = int.MaxValue }, ct, null);

    private async Task<Result> AddAsync(string accountId, bool testMode, byte[] content, string? name, PdfLimits limits, CancellationToken ct, string? sourceKey)
    {
        var inspection = PdfInspector.Inspect(content, limits);
        if (!inspection.IsValid) return new(null, inspection.Problem);

        var id = Ids.New("doc");
        var document = new Document
        {
            Id = id,
            AccountId = accountId,
            Name = CleanName(name),
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            PageCount = inspection.Pages!.Count,
            SizeBytes = content.Length,
            TestMode = testMode,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            BlobKey = $"{accountId}/{id}.pdf",
            PageSizes = inspection.Pages,
            SourceKey = sourceKey,
        };
        // Bytes first: a row never points at a blob that is not there.
        await blobs.PutAsync(document.BlobKey, content, ct);
        db.Documents.Add(document);
        await db.SaveChangesAsync(ct);
        return new(document, null);
    }

    /// <summary>Keeps the text tags the renderer measured in a generated document beside its PDF, which does not contain them.</summary>
    public async Task SaveTextTagsAsync(Document document, IReadOnlyList<TextTag> tags, CancellationToken ct) =>
        await blobs.PutAsync(TextTagsKey(document), JsonSerializer.SerializeToUtf8Bytes(tags), ct);

    /// <summary>The measured text tags of a generated document; null for any other document (find its tags in its text).</summary>
    public async Task<List<TextTag>?> ReadTextTagsAsync(Document document, CancellationToken ct)
    {
        await using var stream = await blobs.OpenReadAsync(TextTagsKey(document), ct);
        return stream is null ? null : await JsonSerializer.DeserializeAsync<List<TextTag>>(stream, cancellationToken: ct);
    }

    private static string TextTagsKey(Document document) => $"{document.BlobKey}.text-tags.json";

    public async Task<byte[]?> ReadAsync(Document document, CancellationToken ct)
    {
        await using var stream = await blobs.OpenReadAsync(document.BlobKey, ct);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static string CleanName(string? name)
    {
        name = Path.GetFileName(name?.Trim() ?? "");
        name = new string(name.Where(c => !char.IsControl(c)).ToArray());
        if (name.Length == 0) name = "document.pdf";
        return name.Length > 200 ? name[..200] : name;
    }
}
