using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Segmentation.Ranking;

/// <summary>A finished round whose true quality is known (the instance has a ground-truth mask).</summary>
public sealed record QualityExample(QualityFeatures Features, double TrueIoU);

public sealed record QualityModelOptions
{
    public int Trees { get; init; } = 100;
    public int Leaves { get; init; } = 16;
    public int MinExamplesPerLeaf { get; init; } = 3;
    public int Seed { get; init; } = 1;
    public QualityFeatureSet FeatureSet { get; init; } = QualityFeatureSet.Paper;
}

/// <summary>
/// M_r: a random decision forest (ML.NET FastForest regression) predicting a mask's IoU from its
/// <see cref="QualityFeatures"/>. Saved with a version number; once loaded it scores from any number of threads
/// without locking (one prediction engine per thread).
/// </summary>
public sealed class QualityModel : IDisposable
{
    const string Magic = "ANNOTATION-MR";
    const int FormatVersion = 2;

    readonly MLContext ml;
    readonly ITransformer transformer;
    readonly ThreadLocal<PredictionEngine<Row, Score>> engines;

    QualityModel(MLContext ml, ITransformer transformer, QualityFeatureSet featureSet, int version, int trainingExamples, IReadOnlyList<FeatureImportance> importances)
    {
        this.ml = ml;
        this.transformer = transformer;
        FeatureSet = featureSet;
        Version = version;
        TrainingExamples = trainingExamples;
        Importances = importances;
        var schema = RowSchema(featureSet);
        engines = new ThreadLocal<PredictionEngine<Row, Score>>(
            () => ml.Model.CreatePredictionEngine<Row, Score>(transformer, inputSchemaDefinition: schema), trackAllValues: true);
    }

    /// <summary>The signals the model was trained on, and so reads.</summary>
    public QualityFeatureSet FeatureSet { get; }

    /// <summary>Increases with every retraining of a campaign's model.</summary>
    public int Version { get; }

    public int TrainingExamples { get; }

    /// <summary>Per feature of <see cref="FeatureSet"/>, its share of the forest's split gain; sums to 1.</summary>
    public IReadOnlyList<FeatureImportance> Importances { get; }

    public static QualityModel Train(IReadOnlyList<QualityExample> examples, int version, QualityModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new QualityModelOptions();
        if (examples.Count < 2 * options.MinExamplesPerLeaf)
            throw new ArgumentException($"At least {2 * options.MinExamplesPerLeaf} examples are needed to train, got {examples.Count}.", nameof(examples));
        if (examples.Any(e => !double.IsFinite(e.TrueIoU) || e.TrueIoU is < 0 or > 1))
            throw new ArgumentException("Every example's true IoU must be in [0, 1].", nameof(examples));

        var ml = new MLContext(seed: options.Seed);
        var set = options.FeatureSet;
        var data = ml.Data.LoadFromEnumerable(
            examples.Select(e => new Row { Features = e.Features.ToVector(set), Label = (float)e.TrueIoU }), RowSchema(set));
        var trainer = ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
            NumberOfThreads = 1, // deterministic for a seed
            FeatureColumnName = nameof(Row.Features),
            LabelColumnName = nameof(Row.Label),
        });
        var fitted = trainer.Fit(data);
        var weights = default(VBuffer<float>);
        fitted.Model.GetFeatureWeights(ref weights);
        var values = weights.DenseValues().ToArray();
        var total = values.Sum();
        var importances = QualityFeatures.NamesOf(set).Select((name, i) =>
            new FeatureImportance(name, total > 0 && i < values.Length ? values[i] / total : 0)).ToArray();
        return new QualityModel(ml, fitted, set, version, examples.Count, importances);
    }

    /// <summary>The predicted IoU, clamped to [0, 1].</summary>
    public double Predict(QualityFeatures features)
    {
        var score = engines.Value!.Predict(new Row { Features = features.ToVector(FeatureSet) }).Value;
        return Math.Clamp(score, 0, 1);
    }

    public void Save(Stream output)
    {
        using var model = new MemoryStream();
        ml.Model.Save(transformer, null, model);
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((int)FeatureSet);
        writer.Write(Version);
        writer.Write(TrainingExamples);
        writer.Write(Importances.Count);
        foreach (var importance in Importances)
        {
            writer.Write(importance.Feature);
            writer.Write(importance.Share);
        }
        writer.Write((int)model.Length);
        writer.Write(model.GetBuffer(), 0, (int)model.Length);
    }

    /// <exception cref="InvalidDataException">The stream does not hold a saved quality model.</exception>
    public static QualityModel Load(Stream input)
    {
        using var reader = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException("Not a saved quality model (wrong header).");
            var format = reader.ReadInt32();
            if (format is < 1 or > FormatVersion) throw new InvalidDataException($"Quality model format {format} is not supported (expected 1 to {FormatVersion}).");
            // Format 1 predates the feature set: its models read the paper's five signals.
            var set = format >= 2 ? (QualityFeatureSet)reader.ReadInt32() : QualityFeatureSet.Paper;
            if (!Enum.IsDefined(set)) throw new InvalidDataException($"The saved quality model names an unknown feature set {(int)set}.");
            var version = reader.ReadInt32();
            var examples = reader.ReadInt32();
            var count = reader.ReadInt32();
            var importances = new FeatureImportance[count];
            for (var i = 0; i < count; i++) importances[i] = new FeatureImportance(reader.ReadString(), reader.ReadDouble());
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new InvalidDataException("The saved quality model is truncated.");
            var ml = new MLContext();
            var transformer = ml.Model.Load(new MemoryStream(bytes), out _);
            return new QualityModel(ml, transformer, set, version, examples, importances);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The saved quality model is truncated.", e);
        }
    }

    public void Dispose()
    {
        foreach (var engine in engines.Values) engine.Dispose();
        engines.Dispose();
    }

    /// <summary>The input row's schema: the feature vector's length depends on the feature set.</summary>
    static SchemaDefinition RowSchema(QualityFeatureSet set)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, QualityFeatures.NamesOf(set).Count);
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

public sealed record FeatureImportance(string Feature, double Share);
