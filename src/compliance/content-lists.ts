// Word lists for content screening. Matched as whole words on folded text (no accents, lower case)
// and again after undoing leet spelling, since letter swaps must not get past the filter (CTIA).

/**
 * SHAFT-C categories that obscenity's English dataset does not cover: it screens sex and hate only;
 * "beer", "rifle", "cigarette" and "weed" pass it (libraries.md §5).
 */
export const SHAFT_WORDS: Record<'alcohol' | 'firearms' | 'tobacco' | 'cannabis', readonly string[]> = {
  alcohol: [
    'alcohol', 'alcoholic', 'beer', 'beers', 'wine', 'wines', 'vodka', 'whiskey', 'whisky', 'bourbon', 'tequila', 'rum', 'gin',
    'liquor', 'booze', 'cocktail', 'cocktails', 'champagne', 'prosecco', 'brewery', 'happy hour', 'cerveza', 'cervezas',
    'vino', 'vinos', 'licor', 'biere', 'bieres', 'spiritueux',
  ],
  firearms: [
    'gun', 'guns', 'firearm', 'firearms', 'rifle', 'rifles', 'pistol', 'pistols', 'handgun', 'handguns', 'shotgun', 'shotguns',
    'ammo', 'ammunition', 'revolver', 'ar-15', 'ar15', 'glock', 'arma de fuego', 'armas', 'municion', 'fusil', 'pistolet',
  ],
  tobacco: [
    'tobacco', 'cigarette', 'cigarettes', 'cigar', 'cigars', 'vape', 'vapes', 'vaping', 'e-cig', 'ecig', 'juul', 'nicotine',
    'hookah', 'tabaco', 'cigarro', 'cigarrillos', 'tabac', 'cigarette electronique',
  ],
  cannabis: [
    'cannabis', 'marijuana', 'weed', 'thc', 'cbd', 'edibles', 'dispensary', 'kush', 'pre-roll', 'preroll', 'mota', 'porro',
  ],
};

/** Everyday phrases that contain a SHAFT word but are not about the category. */
export const SHAFT_SAFE_PHRASES: readonly string[] = [
  'root beer', 'ginger beer', 'glue gun', 'heat gun', 'nail gun', 'staple gun', 'water gun', 'spray gun', 'massage gun',
  'top gun', 'weed killer', 'weed control',
];

/** Political and religious vocabulary, filtered by carriers in Latin America and banned in China. */
export const POLITICAL_RELIGIOUS_WORDS: readonly string[] = [
  'election', 'elections', 'vote', 'voting', 'candidate', 'political', 'politics', 'senator', 'congressman', 'president',
  'eleccion', 'elecciones', 'votar', 'voto', 'votos', 'candidato', 'candidata', 'politica', 'politico', 'partido politico',
  'eleicao', 'eleicoes', 'candidato', 'election', 'elire', 'politique', 'gobierno', 'government',
  'church', 'pray', 'prayer', 'god', 'jesus', 'bible', 'religion', 'religious', 'iglesia', 'igreja', 'oracion', 'orar', 'rezar',
  'dios', 'deus', 'dieu', 'eglise', 'priere', 'biblia', 'religioso', 'religiosa',
];

/** Promotional vocabulary that must not appear in replies (STOP confirmation, clarification, HELP). */
export const PROMOTIONAL_WORDS: readonly string[] = [
  'sale', 'sales', 'discount', 'discounts', 'deal', 'deals', 'offer', 'offers', 'promo', 'promotion', 'coupon', 'coupons',
  'shop', 'buy', 'save', 'savings', 'free shipping', 'limited time', 'exclusive', 'bogo', 'clearance',
  'oferta', 'ofertas', 'descuento', 'descuentos', 'rebaja', 'rebajas', 'promocion', 'cupon', 'compra', 'compras', 'ahorra', 'gratis',
  'soldes', 'reduction', 'offre', 'offres', 'achetez', 'profitez', 'gratuit', 'code promo',
];

/** Public URL shorteners: carriers filter them because anyone can hide a destination behind them. */
export const PUBLIC_SHORTENERS: readonly string[] = [
  'bit.ly', 'bitly.com', 'tinyurl.com', 't.co', 'goo.gl', 'ow.ly', 'is.gd', 'v.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly', 'shorturl.at',
  'tiny.cc', 'rb.gy', 't.ly', 'bl.ink', 's.id', 'lnkd.in', 'trib.al', 'shorte.st', 'adf.ly', 'soo.gd', 'qr.ae', 'x.co', 'tr.im',
  'clck.ru', 'u.to', 'short.io', 'tiny.one', 'urlz.fr',
];

/** Central and South America: carriers there filter political and religious content. */
export const LATIN_AMERICA: ReadonlySet<string> = new Set([
  'MX', 'BZ', 'GT', 'SV', 'HN', 'NI', 'CR', 'PA',
  'AR', 'BO', 'BR', 'CL', 'CO', 'EC', 'GY', 'PY', 'PE', 'SR', 'UY', 'VE',
]);
