using System.Net;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ESign.Hub.Tests.Api;

public abstract class IdempotencyTests(HubFactory hub)
{
    [Fact]
    public async Task Retry_with_the_same_key_and_body_returns_the_first_response_and_creates_nothing_new()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());

        var first = await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "create-42");
        var firstJson = await first.ExpectAsync(HttpStatusCode.Created);
        var retry = await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "create-42");
        var retryJson = await retry.ExpectAsync(HttpStatusCode.Created);

        Assert.Equal((string)firstJson["id"]!, (string)retryJson["id"]!);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var list = await (await account.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list["data"]!.AsArray());
    }

    [Fact]
    public async Task A_claim_left_by_a_process_that_died_mid_request_does_not_block_the_retry()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        await using (var scope = hub.Services.CreateAsyncScope())
        {
            // What a hub killed between claiming the key and storing the response leaves behind.
            var db = scope.ServiceProvider.GetRequiredService<ESign.Hub.Storage.HubDbContext>();
            var now = DateTime.UtcNow;
            db.IdempotencyRecords.Add(new ESign.Hub.Idempotency.IdempotencyRecord
            {
                AccountId = account.AccountId, TestMode = true, Key = "crashed-1", RequestHash = new string('0', 64), StatusCode = 0,
                CreatedAt = now.AddMinutes(-30), ExpiresAt = now.AddHours(23),
            });
            await db.SaveChangesAsync();
        }
        var retry = await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "crashed-1");
        await retry.ExpectAsync(HttpStatusCode.Created);
        var again = await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "crashed-1");
        await again.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_422()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        await (await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "k-1")).ExpectAsync(HttpStatusCode.Created);

        body["title"] = "Another agreement";
        var problem = await (await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "k-1"))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("different request", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Keys_belong_to_one_account_and_uploads_are_idempotent_too()
    {
        var a = await hub.NewAccountAsync();
        var b = await hub.NewAccountAsync();
        var pdf = TestPdfs.Letter();

        async Task<string> UploadAsync(HubClient who)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/documents") { Content = HttpExtensions.PdfForm(pdf) };
            request.Headers.Add("Idempotency-Key", "upload-1");
            return (string)(await (await who.Http.SendAsync(request)).ExpectAsync(HttpStatusCode.Created))["id"]!;
        }

        var first = await UploadAsync(a);
        Assert.Equal(first, await UploadAsync(a));
        Assert.NotEqual(first, await UploadAsync(b));
    }

    [Fact]
    public async Task A_failed_validation_is_replayed_as_it_was()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody("doc_missing");
        await (await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "bad-1")).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        var replay = await account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "bad-1");
        await replay.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_replayed_secret_is_the_same_and_is_not_stored_in_plain_text()
    {
        var account = await hub.NewAccountAsync();
        var body = new { name = "CRM", scopes = new[] { "documents:read" } };
        var first = await (await account.Http.PostJsonAsync("/v1/api-keys", body, idempotencyKey: "key-1")).ExpectAsync(HttpStatusCode.Created);
        var replay = await (await account.Http.PostJsonAsync("/v1/api-keys", body, idempotencyKey: "key-1")).ExpectAsync(HttpStatusCode.Created);
        var secret = (string)first["key"]!;
        Assert.Equal(secret, (string)replay["key"]!);

        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ESign.Hub.Storage.HubDbContext>();
        var stored = await db.IdempotencyRecords.IgnoreQueryFilters().SingleAsync(r => r.AccountId == account.AccountId && r.Key == "key-1");
        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(stored.Body!));
    }

    [Fact]
    public async Task Concurrent_retries_create_one_object()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            account.Http.PostJsonAsync("/v1/signature-requests", body, idempotencyKey: "race-1")));

        // Each retry either sees the stored response or is told the first is still running; never a second object.
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var ids = new HashSet<string>();
        foreach (var r in responses.Where(r => r.StatusCode == HttpStatusCode.Created)) ids.Add((string)(await r.JsonAsync())["id"]!);
        Assert.Single(ids);
        var list = await (await account.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list["data"]!.AsArray());
    }
}

public sealed class SqliteIdempotencyTests(SqliteHub hub) : IdempotencyTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresIdempotencyTests(PostgresHub hub) : IdempotencyTests(hub), IClassFixture<PostgresHub>;
