namespace MixQ.Tensors.Autograd;

/// <summary>
/// Turns graph recording off for a scope (evaluation, optimizer updates). Per thread, so data-parallel
/// workers cannot switch each other's mode.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    public static bool Enabled => _disabledDepth == 0;

    public static IDisposable NoGrad()
    {
        _disabledDepth++;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _disabledDepth--;
        }
    }
}
