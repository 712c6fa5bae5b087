using System.Globalization;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Optim;

/// <summary>
/// Updates a fixed list of parameters from their gradients. Parameters whose <see cref="Tensor.Grad"/> is null
/// are skipped (as in PyTorch: they get no update, no weight decay and their state does not advance).
/// <para>
/// Per-parameter state (a step count plus the buffers named by <see cref="BufferNames"/>) is created the first
/// time a parameter has a gradient. <see cref="ExportState"/> / <see cref="ImportState"/> move it, together
/// with the global step count, as named tensors so that a resumed run continues bit for bit:
/// "step", "{i}.step" and "{i}.{buffer}" where i is the parameter's index in <see cref="Parameters"/>.
/// Step counts are stored exactly as two float32 halves (see <see cref="StepCountTensor"/>).
/// </para>
/// </summary>
public abstract class Optimizer
{
    private readonly ParameterState?[] _state;

    protected Optimizer(IReadOnlyList<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (!seen.Add(p)) throw new ArgumentException($"parameter {p.Name ?? p.ToString()} appears twice", nameof(parameters));
            if (!p.IsContiguous) throw new ArgumentException($"parameter {p.Name ?? p.ToString()} is not contiguous", nameof(parameters));
        }
        Parameters = parameters.ToArray();
        _state = new ParameterState?[Parameters.Count];
        LearningRate = learningRate;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The rate used by the next <see cref="Step"/>; schedules set it before each step.</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!float.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "learning rate must be finite and non-negative");
            field = value;
        }
    }

    /// <summary>How many times <see cref="Step"/> has run (including steps where no parameter had a gradient).</summary>
    public long StepCount { get; private set; }

    /// <summary>Names of the per-parameter buffers this optimizer keeps (each shaped like its parameter).</summary>
    protected abstract IReadOnlyList<string> BufferNames { get; }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is null) continue;
            if (p.Grad.Size != p.Size)
                throw new InvalidOperationException($"gradient of {p.Name ?? p.ToString()} has {p.Grad.Size} elements, parameter has {p.Size}");
            var state = _state[i] ??= NewState(p.Size);
            state.Steps++;
            Update(p, p.Grad.Contiguous().Span, state);
        }
    }

    /// <summary>Drops every gradient (PyTorch's set_to_none), so the next backward pass starts from nothing.</summary>
    public void ZeroGrad() => ZeroGrad(recycle: false);

    /// <summary>
    /// <see cref="ZeroGrad()"/>; with <paramref name="recycle"/> the gradients' memory goes back to the buffer pool
    /// (<see cref="Graph.RecycleGradient"/>) for the next backward pass to reuse — for training loops that hold no
    /// gradient beyond the step that made it (the <see cref="MixQ.NN.Training.Trainer"/>).
    /// </summary>
    public void ZeroGrad(bool recycle)
    {
        foreach (var p in Parameters)
        {
            if (recycle) Graph.RecycleGradient(p);
            else p.Grad = null;
        }
    }

    /// <summary>
    /// Forgets the momentum of some elements of <paramref name="parameter"/> (flat indices), for elements that start
    /// over with a new meaning — a row whose number format changes gets a new scale, and the momentum that pushed the
    /// old scale would push the new one the wrong way. Buffers that are not momentum (<see cref="MomentumBuffers"/>)
    /// are kept, and so is the step count, which the parameter's other elements share. A parameter that has not been
    /// stepped yet has nothing to forget.
    /// </summary>
    public void ResetMomentum(Tensor parameter, ReadOnlySpan<int> elements)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        int index = -1;
        for (int i = 0; i < Parameters.Count; i++)
            if (ReferenceEquals(Parameters[i], parameter)) { index = i; break; }
        if (index < 0) throw new ArgumentException($"{parameter.Name ?? parameter.ToString()} is not a parameter of this optimizer", nameof(parameter));
        foreach (int e in elements)
            if ((uint)e >= (uint)parameter.Size)
                throw new ArgumentOutOfRangeException(nameof(elements), e, $"element index outside {parameter.Name ?? parameter.ToString()} ({parameter.Size} elements)");
        if (_state[index] is not { } state) return;
        foreach (int b in MomentumBuffers)
            foreach (int e in elements) state.Buffers[b][e] = 0f;
    }

    /// <summary>Which of <see cref="BufferNames"/> hold momentum (<see cref="ResetMomentum"/> zeroes them).</summary>
    protected virtual IReadOnlyList<int> MomentumBuffers => [];

    /// <summary>
    /// Applies one update to <paramref name="parameter"/> using <paramref name="gradient"/>;
    /// <paramref name="state"/> already counts this step.
    /// </summary>
    protected abstract void Update(Tensor parameter, ReadOnlySpan<float> gradient, ParameterState state);

    /// <summary>A copy of the optimizer's state as named tensors (independent of the optimizer afterwards).</summary>
    public IReadOnlyDictionary<string, Tensor> ExportState()
    {
        var result = new Dictionary<string, Tensor> { ["step"] = StepCountTensor.Encode(StepCount) };
        for (int i = 0; i < _state.Length; i++)
        {
            var s = _state[i];
            if (s is null) continue;
            string prefix = i.ToString(CultureInfo.InvariantCulture) + ".";
            result[prefix + "step"] = StepCountTensor.Encode(s.Steps);
            for (int b = 0; b < BufferNames.Count; b++)
                result[prefix + BufferNames[b]] = new Tensor(Parameters[i].ShapeArray(), (float[])s.Buffers[b].Clone());
        }
        return result;
    }

    /// <summary>
    /// Replaces the optimizer's state with <paramref name="state"/> (as produced by <see cref="ExportState"/>
    /// of the same optimizer type over parameters of the same shapes). The state is copied. Nothing changes
    /// unless the whole state is valid; otherwise a <see cref="MixQException"/> names the first problem.
    /// </summary>
    public void ImportState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string what = $"optimizer state does not match {GetType().Name} over {Parameters.Count} parameters";
        if (!state.TryGetValue("step", out var globalStep)) throw new MixQException($"{what}: missing entry 'step'");
        long stepCount = StepCountTensor.Decode(globalStep, what + ": entry 'step'");

        var fresh = new ParameterState?[Parameters.Count];
        foreach (var (key, tensor) in state)
        {
            if (key == "step") continue;
            int dot = key.IndexOf('.');
            if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= Parameters.Count)
                throw new MixQException($"{what}: unexpected entry '{key}'");
            string slot = key[(dot + 1)..];
            var p = Parameters[index];
            var s = fresh[index] ??= new ParameterState { Steps = -1, Buffers = new float[BufferNames.Count][] };
            if (slot == "step")
            {
                s.Steps = StepCountTensor.Decode(tensor, $"{what}: entry '{key}'");
                continue;
            }
            int b = IndexOf(BufferNames, slot);
            if (b < 0) throw new MixQException($"{what}: unexpected entry '{key}'");
            if (!tensor.Shape.SequenceEqual(p.Shape))
                throw new MixQException($"{what}: entry '{key}' has shape {ShapeUtil.Format(tensor.Shape)} but parameter {index} has shape {ShapeUtil.Format(p.Shape)}");
            s.Buffers[b] = tensor.ToArray();
        }
        for (int i = 0; i < fresh.Length; i++)
        {
            var s = fresh[i];
            if (s is null) continue;
            if (s.Steps < 0) throw new MixQException($"{what}: missing entry '{i}.step'");
            for (int b = 0; b < BufferNames.Count; b++)
                if (s.Buffers[b] is null) throw new MixQException($"{what}: missing entry '{i}.{BufferNames[b]}'");
        }
        Array.Copy(fresh, _state, fresh.Length);
        StepCount = stepCount;
    }

    /// <summary>The weight decay that applies to <paramref name="parameter"/> under <paramref name="filter"/>.</summary>
    protected static float DecayFor(Tensor parameter, float weightDecay, Func<Tensor, bool>? filter) =>
        weightDecay != 0 && (filter is null || filter(parameter)) ? weightDecay : 0f;

    private ParameterState NewState(int size)
    {
        var buffers = new float[BufferNames.Count][];
        for (int b = 0; b < buffers.Length; b++) buffers[b] = new float[size];
        return new ParameterState { Buffers = buffers };
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    /// <summary>What an optimizer remembers about one parameter.</summary>
    protected sealed class ParameterState
    {
        /// <summary>Updates applied to this parameter, counting the current one.</summary>
        public long Steps { get; set; }

        /// <summary>One array per entry of <see cref="BufferNames"/>, zero-initialised, parameter-sized.</summary>
        public required float[][] Buffers { get; init; }
    }
}
