using Segmentation.Masks;

namespace Segmentation.Tests;

public class CocoRleTests
{
    // Hand-worked cases, following pycocotools rleEncode / rleToString step by step (see comments).

    [Fact]
    public void EmptyMaskIsOneRunOfZeros()
    {
        var mask = new BinaryMask(2, 2);
        Assert.Equal([4u], CocoRle.EncodeCounts(mask));
        Assert.Equal("4", CocoRle.Encode(mask)); // 4 + 48 = '4'
        Assert.Equal(mask, CocoRle.Decode("4", 2, 2));
    }

    [Fact]
    public void FullMaskStartsWithZeroLengthRun()
    {
        var mask = RandomMasks.Parse("###", "###"); // h = 2, w = 3
        Assert.Equal([0u, 6u], CocoRle.EncodeCounts(mask));
        Assert.Equal("06", CocoRle.Encode(mask));
        Assert.Equal(mask, CocoRle.Decode("06", 2, 3));
    }

    [Fact]
    public void MaskStartingWithOneIsColumnMajor()
    {
        // Rows "##." / ".#.": columns top to bottom give 1,0 | 1,1 | 0,0 -> runs 0,1,1,2,2.
        var mask = RandomMasks.Parse("##.", ".#.");
        var counts = CocoRle.EncodeCounts(mask);
        Assert.Equal([0u, 1u, 1u, 2u, 2u], counts);
        // '0','1','1', then deltas 2-1 = 1 and 2-1 = 1.
        Assert.Equal("01111", CocoRle.EncodeString(counts));
        Assert.Equal(mask, CocoRle.Decode("01111", 2, 3));
    }

    [Fact]
    public void CountsAbove31UseSeveralCharacters()
    {
        // 100 = 3*32 + 4: low group 4 with the continuation bit (4|32)+48 = 'T', then 3 -> '3'.
        Assert.Equal("T3", CocoRle.Encode(new BinaryMask(10, 10)));
        // 40 = 1*32 + 8 -> (8|32)+48 = 'X', then '1'.
        Assert.Equal("X1", CocoRle.EncodeString([40u]));
        // 16 has the sign bit of its only group set, so a zero group must follow: (16|32)+48 = '`', '0'.
        Assert.Equal("`0", CocoRle.EncodeString([16u]));
        Assert.Equal([16u], CocoRle.DecodeString("`0"));
        // 15 fits one group.
        Assert.Equal("?", CocoRle.EncodeString([15u]));
    }

    [Fact]
    public void PublishedEmptyMaskString()
    {
        // pycocotools.mask.encode of an all-zero 30x30 mask, as printed in detectron2 issue #844: b'Tl0'.
        var mask = CocoRle.Decode("Tl0", 30, 30);
        Assert.True(mask.IsEmpty);
        Assert.Equal("Tl0", CocoRle.Encode(new BinaryMask(30, 30)));
    }

    [Fact]
    public void LaterCountsAreDeltasAndCanBeNegative()
    {
        // 10x10: 40 zeros (columns 0-3), 20 ones (columns 4-5), 5 zeros, 2 ones (column 6, rows 5-6), 33 zeros.
        var mask = BinaryMask.FromPredicate(10, 10, (x, y) => x is 4 or 5 || (x == 6 && y is 5 or 6));
        var counts = CocoRle.EncodeCounts(mask);
        Assert.Equal([40u, 20u, 5u, 2u, 33u], counts);
        // 40 -> "X1"; 20 (sign bit set) -> (20|32)+48 = 'd', '0'; 5 -> '5';
        // 2-20 = -18: low group 14 with continuation -> '^', then -1 group 31 -> 'O';
        // 33-5 = 28 (sign bit set) -> (28|32)+48 = 'l', '0'.
        const string expected = "X1d05^Ol0";
        Assert.Equal(expected, CocoRle.EncodeString(counts));
        Assert.Equal(counts, CocoRle.DecodeString(expected));
        Assert.Equal(mask, CocoRle.Decode(expected, 10, 10));
    }

    [Fact]
    public void SingleCharacterNegativeDeltas()
    {
        // counts 2,3,1,2,2 (h=2, w=5): '2','3','1', 2-3 = -1 -> 31+48 = 'O', 2-1 = 1 -> '1'.
        Assert.Equal("231O1", CocoRle.EncodeString([2u, 3u, 1u, 2u, 2u]));
        // delta -16: one group 16 whose sign bit matches -> '@'; delta -17: 15|32 -> '_', then 'O'.
        Assert.Equal("0`00@", CocoRle.EncodeString([0u, 16u, 0u, 0u]));
        Assert.Equal([0u, 16u, 0u, 0u], CocoRle.DecodeString("0`00@"));
        Assert.Equal([0u, 17u, 0u, 0u], CocoRle.DecodeString("0a00_O"));
        Assert.Equal("0a00_O", CocoRle.EncodeString([0u, 17u, 0u, 0u]));
    }

    // Strings produced by pycocotools.mask.encode, published in public issues and READMEs. Their masks
    // are unknown, but a canonical encoding must decode to exactly h*w pixels and re-encode identically.
    public static TheoryData<string, int, int> PublishedStrings => new()
    {
        {
            // yolact issue #699 (576 x 752)
            "ZbQ:1ma06J3N2N1O2M4K6K3N1N3M3J7K4M2N3M2M5K7J3N1O2N2L4N2M3N1O2L4M3M3N2M2M5K4M4L3N1N4K4K5N2O10O0100O1O10O0110O000O100101OO0O0100O11O00O010O1010OO100O1013L000O01004MOO10O010020O0OO010010O000O10O1100O1OO100O2N2N010O001O2O0O001O2O1N2N001O1O1O1O1O001N2O1N3N0O2O1N3K5J5L3N3L4H8E;L4M2O2L4K5K5N2M2O3L4K4M3N2N2M4K5K4M5Khl?",
            576, 752
        },
        {
            // armengot/COCOtoolsFORK README (50 x 70)
            "0g05b08J4M2N2NA^O1`0OCO=0E090H080IO68DH;>@C>a0_O_O`0j0OWOF<:CM72I24NL43JM92FN;1ENKO72L0LO91J0MO92INO0NO122OO0M031O000NO31OO11MO40N011MO41MO21L06OL021L06OL021L06OL021L060J040L060J040L060J040L060J040L060J040L060J040L060KO31L060KO31L06OL021L06OL021L06OL021MO41MO21MO40N100NO310O00M0310O00NO1220NO92IONO91KOMO72M0<1EO:2GN63KM34OLM73JF<;=1G_O_Ob0=AC`07EH=1IO71H090F0:1DO>1_O1b0>2N2N3L6H]O",
            50, 70
        },
        {
            // Detectron issue #424 (1080 x 1440)
            "l]a?V3an02O001N101O0O10001O0000001O00001O00001O1O001O010O00001O00000000010O01O001O001O00001O00001O000000001O00000000000001O0001O0000000001O01O000000010O001O00001O00001O000000001O000000000000000010O00001O00001O000000001O00000001O0001O0001O00001O001O001O00001O0000001O00000000001O0001O01O01O01000O010O010O01O01O0001O0001O00000000001O0000001O00001O00001O001O000001O01O01O00001O10O01O001O001O0001O01O00000001O00001O001O1O001O00001O0000001O000000001O0000001O00001O001O1O01O01O001O00000001O00001O001O0010O0001O00001O000000001O000001O00001O00001O1O001O001O00001O0000001O000000001O0000010O00001O001O010O000010O00001O000010O0001O00000000001O0000000000010O00000001O01O01O010O1O010O010O01O00010O00000000000001O0001O0000000001O00000000001O01O01O0010O00010O1O0010O01O001O01O0001O00000000000001O000000000000001O00000000001O00001O010O00001O01O0000010O00001O00010O00001O00000000001O00000000000000001O00000000000000000000000000000000000000000000000000010O00001O010O00100O0010O0010O0001O01O0000000001O00000000000000000000000000001O01O0000001O001O001O001O001O00001O0000000000000O101O000O10000O100O100O1O10000O10000O10001N10001N101N2N6Fmkc=",
            1080, 1440
        },
    };

    [Theory]
    [MemberData(nameof(PublishedStrings))]
    public void PublishedStringsRoundTripExactly(string counts, int height, int width)
    {
        var mask = CocoRle.Decode(counts, height, width);
        Assert.Equal(height, mask.Height);
        Assert.Equal(width, mask.Width);
        Assert.False(mask.IsEmpty);
        Assert.Equal(counts, CocoRle.Encode(mask));
        var runs = CocoRle.DecodeString(counts);
        Assert.Equal(mask.Area(), CocoRle.Area(runs));
        // Decoded in the right pixel order these are solid shapes, not scattered stripes.
        var boundary = MaskMetrics.Boundary(mask).Area();
        Assert.True(boundary < 0.5 * mask.Area(), $"boundary {boundary} of area {mask.Area()}");
    }

    [Fact]
    public void DecodeRejectsBadCharacters()
    {
        var ex = Assert.Throws<FormatException>(() => CocoRle.DecodeString("12p3"));
        Assert.Contains("position 2", ex.Message);
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("1 2"));
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("/"));
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("é"));
    }

    [Fact]
    public void DecodeRejectsTruncatedValue()
    {
        // 'X' has the continuation bit set and nothing follows.
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("X"));
    }

    [Fact]
    public void DecodeRejectsNegativeCounts()
    {
        // First count -1 ('O').
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("O"));
        // Third delta makes count 3 = 1 - 2 < 0.
        Assert.Throws<FormatException>(() => CocoRle.DecodeString("121M"));
    }

    [Fact]
    public void DecodeRejectsCountsNotCoveringTheMask()
    {
        var ex = Assert.Throws<ArgumentException>(() => CocoRle.Decode("T3", 10, 11));
        Assert.Contains("100", ex.Message);
        Assert.Throws<ArgumentException>(() => CocoRle.DecodeCounts(new uint[] { 5, 5, 5 }, 3, 3));
        Assert.Throws<ArgumentException>(() => CocoRle.DecodeCounts(new long[] { 5, -1, 5 }, 3, 3));
        Assert.Throws<ArgumentException>(() => RleMask.FromCounts([1u, 2u], 2, 2));
    }

    [Fact]
    public void DecodeCountsAcceptsLongCountsFromJson()
    {
        var mask = CocoRle.DecodeCounts(new long[] { 1, 2, 3 }, 2, 3);
        Assert.Equal(RandomMasks.Parse(".#.", "#.."), mask);
    }

    [Fact]
    public void EmptySizedMask()
    {
        var mask = new BinaryMask(0, 0);
        Assert.Equal([0u], CocoRle.EncodeCounts(mask));
        Assert.Equal("0", CocoRle.Encode(mask));
        Assert.Equal(mask, CocoRle.Decode("0", 0, 0));
        Assert.Equal(mask, CocoRle.Decode("", 0, 0));
    }

    [Fact]
    public void RandomMasksRoundTrip()
    {
        foreach (var mask in RandomMasks.Many(seed: 1, perSize: 12))
        {
            var counts = CocoRle.EncodeCounts(mask);
            Assert.Equal(ReferenceCounts(mask), counts);
            Assert.Equal((long)mask.Width * mask.Height, counts.Sum(c => (long)c));
            for (var i = 1; i < counts.Length; i++) Assert.NotEqual(0u, counts[i]);
            Assert.Equal(mask.Area(), CocoRle.Area(counts));

            var text = CocoRle.EncodeString(counts);
            Assert.All(text, c => Assert.InRange(c, '0', 'o'));
            Assert.Equal(counts, CocoRle.DecodeString(text));
            Assert.Equal(mask, CocoRle.Decode(text, mask.Height, mask.Width));
            Assert.Equal(mask, CocoRle.DecodeCounts(counts, mask.Height, mask.Width));

            var rle = RleMask.FromMask(mask);
            Assert.Equal((mask.Height, mask.Width, text), (rle.Height, rle.Width, rle.Counts));
            Assert.Equal(mask, rle.ToMask());
            Assert.Equal(mask.Area(), rle.Area());
        }
    }

    [Fact]
    public void RandomCountSequencesRoundTripThroughStrings()
    {
        var random = new Random(7);
        for (var n = 0; n < 300; n++)
        {
            var counts = new uint[random.Next(1, 40)];
            for (var i = 0; i < counts.Length; i++)
                counts[i] = random.Next(4) switch
                {
                    0 => (uint)random.Next(0, 32),
                    1 => (uint)random.Next(0, 2000),
                    2 => (uint)random.Next(0, 1 << 20),
                    _ => (uint)random.NextInt64(0, (long)uint.MaxValue + 1),
                };
            Assert.Equal(counts, CocoRle.DecodeString(CocoRle.EncodeString(counts)));
        }
    }

    [Fact]
    public void RleIoUMatchesMaskIoU()
    {
        var random = new Random(3);
        foreach (var (w, h) in RandomMasks.Sizes)
        {
            for (var k = 0; k < 10; k++)
            {
                var a = RandomMasks.Next(random, w, h);
                var b = RandomMasks.Next(random, w, h);
                var expected = MaskMetrics.IoU(a, b);
                Assert.Equal(expected, CocoRle.IoU(CocoRle.EncodeCounts(a), CocoRle.EncodeCounts(b)), 12);
            }
        }
        Assert.Throws<ArgumentException>(() => CocoRle.IoU([4u], [5u]));
    }

    /// <summary>An independent encoder: transpose to column-major, then count runs from a leading zero run.</summary>
    private static uint[] ReferenceCounts(BinaryMask mask)
    {
        var columnMajor = new List<byte>();
        for (var x = 0; x < mask.Width; x++)
            for (var y = 0; y < mask.Height; y++)
                columnMajor.Add(mask[x, y] ? (byte)1 : (byte)0);
        var counts = new List<uint>();
        byte current = 0;
        uint run = 0;
        foreach (var b in columnMajor)
        {
            if (b == current) { run++; continue; }
            counts.Add(run);
            current = b;
            run = 1;
        }
        counts.Add(run);
        return counts.ToArray();
    }
}
