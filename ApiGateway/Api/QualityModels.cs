using Grains.Interfaces;
using Segmentation.Campaigns;

namespace ApiGateway.Api;

/// <summary>The quality report's JSON: the masks against the references, the human agreement, M_r's curve and the answers' figures.</summary>
public sealed record QualityReportDto(int References, IReadOnlyList<ReferenceRoundQuality> Rounds, IReadOnlyList<ClassReferenceQuality> Classes,
    HumanAgreement? HumanAgreement, RankingCurveDto Ranking, CampaignAnswerStatistics Statistics);
