"""Reference data: countries and refusal grounds, with their names in English and Russian."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rogatory.reference.models import Country, GroundArticle, RefusalGround

from ..schemas import ERRORS

router = Router(tags=["reference"])


class CountryOut(Schema):
    """A state, with its names, groups and the treaties it is party to with us."""

    code: str = Field(description="ISO 3166-1 alpha-2 code.")
    alpha_3: str
    name_en: str
    name_ru: str
    official_name: str
    translation_language: str = Field(description="ISO 639-1 code; empty when not known.")
    groups: list[str] = Field(description="Codes of the groups the country belongs to.")
    treaties: list[str] = Field(description="Codes of the treaties it is party to with us.")

    @staticmethod
    def resolve_groups(country: Country) -> list[str]:
        return [group.code for group in country.groups.all()]

    @staticmethod
    def resolve_treaties(country: Country) -> list[str]:
        return [treaty.code for treaty in country.treaties.all()]


class GroundArticleOut(Schema):
    """The article of a treaty a refusal ground rests on."""

    treaty: str
    article: str

    @staticmethod
    def resolve_treaty(article: GroundArticle) -> str:
        return article.treaty_id


class RefusalGroundOut(Schema):
    """A reason a requested state gives for refusing, with the treaty articles behind it."""

    code: str
    name_en: str
    name_ru: str
    counts_as_political: bool = Field(description="The default; a refusal may override it.")
    articles: list[GroundArticleOut] = Field(description="The treaty articles it rests on.")

    @staticmethod
    def resolve_name_en(ground: RefusalGround) -> str:
        return ground.label_en

    @staticmethod
    def resolve_name_ru(ground: RefusalGround) -> str:
        return ground.label_ru

    @staticmethod
    def resolve_articles(ground: RefusalGround) -> list[GroundArticle]:
        return list(ground.articles.all())


@router.get(
    "/countries",
    response={200: list[CountryOut], **ERRORS},
    summary="Countries",
    operation_id="country_list",
)
def country_list(request: HttpRequest) -> list[Country]:
    """Return every country, by English name."""
    return list(Country.objects.prefetch_related("groups", "treaties"))


@router.get(
    "/refusal-grounds",
    response={200: list[RefusalGroundOut], **ERRORS},
    summary="Refusal grounds",
    operation_id="refusal_ground_list",
)
def refusal_ground_list(request: HttpRequest) -> list[RefusalGround]:
    """Return every refusal ground in its usual order, with the treaty articles it rests on."""
    return list(RefusalGround.objects.prefetch_related("articles"))
