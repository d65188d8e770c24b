using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Segmentation.Models;

/// <summary>
/// A boosted regression forest (ML.NET FastTree) estimating, from <see cref="AnswerFeatures"/>, how much an answer a
/// model call could give beats the runner's own answer in IoU with the truth. Trained on judged evaluation runs
/// (<see cref="JudgedChoice.Observe"/>, <see cref="JudgedChoice.AnyAnswer"/>); a runner given one takes the answer with
/// the largest estimated gain above <see cref="MinGain"/>. Safe to use from several threads (one engine per thread).
/// </summary>
public sealed class AnswerChooser : IDisposable
{
    const string Magic = "ANNOTATION-ANSWER-CHOOSER";
    const int FormatVersion = 1;

    readonly MLContext ml;
    readonly ITransformer transformer;
    readonly ThreadLocal<PredictionEngine<Row, Score>> engines;

    AnswerChooser(MLContext ml, ITransformer transformer, double minGain, int trainingExamples)
    {
        this.ml = ml;
        this.transformer = transformer;
        MinGain = minGain;
        TrainingExamples = trainingExamples;
        engines = new ThreadLocal<PredictionEngine<Row, Score>>(
            () => ml.Model.CreatePredictionEngine<Row, Score>(transformer, inputSchemaDefinition: RowSchema()), trackAllValues: true);
    }

    public double MinGain { get; }
    public int TrainingExamples { get; }

    public static AnswerChooser Train(IReadOnlyList<AnswerExample> examples, AnswerChooserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new AnswerChooserOptions();
        if (examples.Count < 2 * options.MinExamplesPerLeaf)
            throw new ArgumentException($"At least {2 * options.MinExamplesPerLeaf} examples are needed to train, got {examples.Count}.", nameof(examples));
        if (examples.Any(e => !double.IsFinite(e.Gain) || e.Gain is < -1 or > 1))
            throw new ArgumentException("Every example's gain must be in [-1, 1].", nameof(examples));
        var ml = new MLContext(seed: options.Seed);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new Row { Features = e.Features.ToVector(), Label = (float)e.Gain }), RowSchema());
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
            LearningRate = options.LearningRate,
            NumberOfThreads = 1, // deterministic for a seed
            FeatureColumnName = nameof(Row.Features),
            LabelColumnName = nameof(Row.Label),
        });
        return new AnswerChooser(ml, trainer.Fit(data), options.MinGain, examples.Count);
    }

    /// <summary>The estimated gain in IoU of the answer over the runner's own.</summary>
    public double EstimatedGain(AnswerFeatures features) => engines.Value!.Predict(new Row { Features = features.ToVector() }).Value;

    public void Save(Stream output)
    {
        using var model = new MemoryStream();
        ml.Model.Save(transformer, null, model);
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(AnswerFeatures.Names.Count);
        writer.Write(MinGain);
        writer.Write(TrainingExamples);
        writer.Write((int)model.Length);
        writer.Write(model.GetBuffer(), 0, (int)model.Length);
    }

    /// <exception cref="InvalidDataException">The stream does not hold a saved answer chooser for these features.</exception>
    public static AnswerChooser Load(Stream input)
    {
        using var reader = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException("Not a saved answer chooser (wrong header).");
            var format = reader.ReadInt32();
            if (format != FormatVersion) throw new InvalidDataException($"Answer chooser format {format} is not supported (expected {FormatVersion}).");
            var features = reader.ReadInt32();
            if (features != AnswerFeatures.Names.Count)
                throw new InvalidDataException($"The saved answer chooser reads {features} features; this version computes {AnswerFeatures.Names.Count}.");
            var minGain = reader.ReadDouble();
            var examples = reader.ReadInt32();
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new InvalidDataException("The saved answer chooser is truncated.");
            var ml = new MLContext();
            ITransformer forest;
            try
            {
                forest = ml.Model.Load(new MemoryStream(bytes), out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"The saved answer chooser's forest cannot be read: {e.Message}", e);
            }
            return new AnswerChooser(ml, forest, minGain, examples);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The saved answer chooser is truncated.", e);
        }
    }

    public void Dispose()
    {
        foreach (var engine in engines.Values) engine.Dispose();
        engines.Dispose();
    }

    static SchemaDefinition RowSchema()
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, AnswerFeatures.Names.Count);
        return schema;
    }

    sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    sealed class Score
    {
        [ColumnName("Score")]
        public float Value { get; set; }
    }
}
