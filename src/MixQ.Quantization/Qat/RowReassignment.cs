using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.NN.Training;
using MixQ.Quantization.Plans;
using MixQ.Tensors;

namespace MixQ.Quantization.Qat;

/// <summary>
/// <c>--reassign-every N</c>: re-runs the row assignment after every N-th epoch's evaluation (not after the last),
/// applies it to the quantizers (<see cref="QatModel.Reassign"/>) and makes the trainer's optimizer forget the
/// momentum of every learned scale that restarted with a new format — that momentum was built for the old format's
/// scale. Weights keep theirs: a row's float weights mean the same in any format.
/// </summary>
internal sealed class RowReassignment(Module model, int every, int epochs, Func<QuantizationPlan> assign, Action<QuantizationPlan> applied)
    : ITrainingExtension
{
    private Optimizer? _optimizer;

    public IReadOnlyList<Tensor> OwnParameters => [];
    public void OnEpochStart(int epoch) { }
    public Tensor? ExtraLoss(int globalStep, int totalSteps) => null;
    public void AfterStep(int globalStep, int totalSteps) { }
    public void BeforeEvaluation(int epoch) { }
    public void OnOptimizer(Optimizer optimizer) => _optimizer = optimizer;

    public void AfterEvaluation(EpochReport report)
    {
        if (every <= 0 || report.Epoch % every != 0 || report.Epoch >= epochs) return;
        var plan = assign();
        foreach (var (scale, rows) in QatModel.Reassign(model, plan))
            _optimizer?.ResetMomentum(scale, rows);
        applied(plan);
    }
}
