using System.Text.Json.Nodes;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Definitions whose runs send email (written with the run's commit), and what their journals hold when each activity ran once.</summary>
internal static class RunWorkflows
{
    public static readonly string[] DelayThenEmailJournal = ["start", "set", "wait", "wait", "email", "end"];
    public static readonly string[] EventThenEmailJournal = ["start", "approved", "approved", "email", "end"];
    public static readonly string[] EmailsThenDelayJournal = ["start", "first", "second", "third", "wait", "wait", "end"];

    /// <summary>Start → SetVariable → Delay (input.delay seconds) → Hub.Email.Send (to input.email) → End.</summary>
    public static string DelayThenEmail() => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("set", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"To\" }")}, {Js("value", "getInput('email')")}")}, " +
        $"{Activity("wait", "Elsa.Delay", Js("timeSpan", "getInput('delay')"))}, {Email("email", "variables.To")}, {Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "set")}, {Link("set", "Done", "wait")}, {Link("wait", "Done", "email")}, {Link("email", "Done", "end")}");

    /// <summary>Start → Elsa.Event (named by input.event) → Hub.Email.Send (to input.email) → End.</summary>
    public static string EventThenEmail() => Flowchart(
        $"{Activity("start", "Elsa.Start")}, {Activity("approved", "Elsa.Event", Js("eventName", "getInput('event')"))}, " +
        $"{Email("email", "getInput('email')")}, {Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "approved")}, {Link("approved", "Done", "email")}, {Link("email", "Done", "end")}");

    /// <summary>Start → three Hub.Email.Send (to input.email), each its own commit point → Delay → End.</summary>
    public static string EmailsThenDelay(string delay) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, {Email("first", "getInput('email')")}, {Email("second", "getInput('email')")}, " +
        $"{Email("third", "getInput('email')")}, {Activity("wait", "Elsa.Delay", Literal("timeSpan", delay))}, {Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "first")}, {Link("first", "Done", "second")}, {Link("second", "Done", "third")}, " +
        $"{Link("third", "Done", "wait")}, {Link("wait", "Done", "end")}");

    private static string Email(string id, string to) =>
        Activity(id, "Hub.Email.Send", $"{Js("to", to)}, {Literal("subject", "Workflow notice")}, {Literal("body", "Your workflow reached this step.")}");

    public static string NewAddress(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@example.com";

    public static string[] JournalActivities(JsonNode run) => run["journal"]!.AsArray().Select(e => (string)e!["activity_id"]!).ToArray();

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds, string failure)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"After {seconds} s: {failure}.");
            await Task.Delay(20);
        }
    }
}
