using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// A residual block: body(x) + shortcut(x), where the shortcut is the identity unless a projection is given
/// (for example a strided 1x1 Conv2d + BatchNorm2d when the body changes the shape). Children "body" and
/// "shortcut". Put an activation after the block with a <see cref="Sequential"/> (ResNet applies ReLU after the add).
/// </summary>
public sealed class Residual : Module
{
    public Residual(Module body, Module? shortcut = null)
    {
        Body = RegisterModule("body", body);
        if (shortcut is not null) Shortcut = RegisterModule("shortcut", shortcut);
    }

    public Module Body { get; }
    public Module? Shortcut { get; }

    public override Tensor Forward(Tensor input)
    {
        var main = Body.Forward(input);
        var skip = Shortcut is null ? input : Shortcut.Forward(input);
        if (!main.Shape.SequenceEqual(skip.Shape))
            throw new ArgumentException($"residual body gives {ShapeUtil.Format(main.Shape)} but the shortcut gives {ShapeUtil.Format(skip.Shape)}; add a projection shortcut");
        return Ops.Add(main, skip);
    }
}
