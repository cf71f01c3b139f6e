using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CryoSharp.Learning.Poses;

/// <summary>
/// The encoder both branches of the Siamese distance network share: three convolution blocks (5×5 then 3×3 and 3×3,
/// c, 2c and 4c channels, batch norm, ReLU, 2× max pooling), global average pooling, and two fully connected layers to
/// the embedding. Images [B, box, box] → embeddings [B, D].
/// </summary>
public sealed class SiameseEncoder : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <summary>A fresh encoder (weights from torch's generator: seed it first).</summary>
    public SiameseEncoder(int channels, int dimension)
        : base(nameof(SiameseEncoder))
    {
        int c = channels;
        layers = Sequential(
            Conv2d(1, c, 5, padding: 2), BatchNorm2d(c), ReLU(), MaxPool2d(2),
            Conv2d(c, 2 * c, 3, padding: 1), BatchNorm2d(2 * c), ReLU(), MaxPool2d(2),
            Conv2d(2 * c, 4 * c, 3, padding: 1), BatchNorm2d(4 * c), ReLU(), MaxPool2d(2),
            Conv2d(4 * c, 4 * c, 3, padding: 1), BatchNorm2d(4 * c), ReLU(),
            AdaptiveAvgPool2d(2), Flatten(),
            Linear(16 * c, 256), ReLU(), Linear(256, dimension));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var x = images.unsqueeze(1);
        return layers.call(x);
    }

    /// <summary>Trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());
}
