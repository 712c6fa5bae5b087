using MixQ.NN.Training;
using Spectre.Console;

namespace MixQ.Cli.Output;

/// <summary>
/// Shows training progress: a live bar per epoch with loss, accuracy and samples/s on an interactive terminal;
/// one plain line per epoch otherwise (CI logs, pipes). With --json everything goes to stderr so that stdout ends
/// in the JSON line alone.
/// </summary>
public sealed class TrainingConsole(bool quiet)
{
    private readonly IAnsiConsole _console = CreateConsole(quiet);

    private static IAnsiConsole CreateConsole(bool quiet)
    {
        bool redirected = quiet ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(quiet ? Console.Error : Console.Out),
            // Logs and pipes get plain text: no escape codes, no wrapping at an imaginary 80 columns.
            Ansi = redirected || Environment.GetEnvironmentVariable("NO_COLOR") is not null ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = 200;
        return console;
    }

    public TrainResult Run(Func<ITrainingObserver, TrainResult> run)
    {
        if (!_console.Profile.Capabilities.Interactive)
            return run(new PlainObserver(_console));
        TrainResult? result = null;
        _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = run(new LiveObserver(ctx, _console)));
        return result!;
    }

    public void Line(string text) => _console.WriteLine(text);

    public void Lines(IEnumerable<string> lines)
    {
        foreach (var line in lines) _console.WriteLine(line);
    }

    public void Summary(string model, string data, TrainResult result)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(model)} on {Markup.Escape(data)}[/]")
            .AddColumn("epoch").AddColumn("train loss").AddColumn("train acc").AddColumn("test loss").AddColumn("test acc")
            .AddColumn("samples/s").AddColumn("seconds");
        foreach (var e in result.Epochs)
            table.AddRow(e.Epoch.ToString(), $"{e.TrainLoss:F4}", $"{e.TrainAccuracy:P2}", $"{e.TestLoss:F4}",
                $"{e.TestAccuracy:P2}", $"{e.SamplesPerSecond:F0}", $"{e.Seconds:F1}");
        _console.Write(table);
        _console.MarkupLine($"test accuracy [bold]{result.TestAccuracy:P2}[/]   training throughput {result.SamplesPerSecond:F0} samples/s   " +
                            $"wall time {result.Seconds:F1} s" + (result.CheckpointPath is null ? "" : $"   checkpoint {Markup.Escape(result.CheckpointPath)}"));
    }

    private sealed class PlainObserver(IAnsiConsole console) : ITrainingObserver
    {
        public void OnInfo(string message) => console.WriteLine(message);

        public void OnEpochEnd(EpochReport e) => console.WriteLine(
            $"epoch {e.Epoch}: train loss {e.TrainLoss:F4} acc {e.TrainAccuracy:P2} | test loss {e.TestLoss:F4} acc {e.TestAccuracy:P2} | " +
            $"{e.SamplesPerSecond:F0} samples/s | {e.Seconds:F1} s");
    }

    private sealed class LiveObserver(ProgressContext context, IAnsiConsole console) : ITrainingObserver
    {
        private ProgressTask? _task;
        private DateTime _lastUpdate;

        public void OnInfo(string message) => console.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

        public void OnEpochStart(int epoch, int totalEpochs, int steps)
        {
            _task = context.AddTask($"epoch {epoch}/{totalEpochs}", maxValue: steps);
        }

        public void OnStep(StepReport s)
        {
            if (_task is null) return;
            var now = DateTime.UtcNow;
            // Redrawing every step costs more than a small model's step: refresh a few times a second.
            if ((now - _lastUpdate).TotalMilliseconds < 200 && s.Step != s.StepsInEpoch) return;
            _lastUpdate = now;
            _task.Value = s.Step;
            _task.Description = $"epoch {s.Epoch} loss {s.Loss:F4} acc {s.Accuracy:P1} {s.SamplesPerSecond:F0}/s";
        }

        public void OnEpochEnd(EpochReport e)
        {
            if (_task is null) return;
            _task.Value = _task.MaxValue;
            _task.Description = $"epoch {e.Epoch} loss {e.TrainLoss:F4} acc {e.TrainAccuracy:P1} test {e.TestAccuracy:P2}";
            _task.StopTask();
        }
    }
}
