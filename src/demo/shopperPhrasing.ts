import type { Tier } from './model.js';

/**
 * How demo shoppers phrase a search: their own words for a category and for a price band. This list is
 * the query model's alone. The ranker reads nothing of src/demo and has no synonym list of its own (its
 * only bridges between words are the TransE term vectors learnt from product texts and a typo
 * correction), so a word here that no product text carries is a word the ranker has to do without,
 * as it would with a real shopper. See docs/decisions/0020-search-evaluation.md.
 */

/** Everyday names for a leaf category, by leaf slug; a leaf without an entry is asked for by its name. */
export const EVERYDAY_CATEGORY_WORDS: Readonly<Record<string, readonly string[]>> = {
  headphones: ['earphones', 'headphones'],
  speakers: ['bluetooth speaker', 'speakers'],
  microphones: ['mic', 'microphone'],
  smartphones: ['mobile phone', 'smartphone'],
  'phone-cases': ['phone cover', 'case'],
  chargers: ['charger', 'cable'],
  cameras: ['digital camera', 'camera'],
  lenses: ['camera lens', 'lens'],
  'memory-cards': ['sd card', 'memory card'],
  laptops: ['notebook computer', 'laptop'],
  'laptop-bags': ['laptop case', 'laptop bag'],
  'mice-keyboards': ['computer mouse', 'keyboard'],
  'running-shoes': ['runners', 'running trainers'],
  'running-socks': ['sport socks', 'socks'],
  'running-apparel': ['running top', 'running gear'],
  'sports-watches': ['fitness watch', 'running watch'],
  tents: ['camping tent', 'tent'],
  'sleeping-bags': ['sleeping bag'],
  headlamps: ['head light', 'torch'],
  bikes: ['bicycle', 'bike'],
  'bike-helmets': ['bicycle helmet', 'helmet'],
  'bike-lights': ['bicycle lights', 'bike light'],
  'yoga-mats': ['gym mat', 'yoga mat'],
  dumbbells: ['weights', 'dumbbells'],
  'water-bottles': ['drinks bottle', 'flask'],
  'coffee-machines': ['coffee machine', 'espresso maker'],
  'coffee-grinders': ['grinder'],
  'coffee-beans': ['coffee'],
  mugs: ['coffee cup', 'mug'],
  'frying-pans': ['pan', 'frying pan'],
  saucepans: ['cooking pot', 'pots'],
  'kitchen-knives': ['knives', 'cooking knife'],
  duvets: ['quilt', 'bed cover'],
  pillows: ['bed pillow', 'pillow'],
  'bed-linen': ['sheets', 'bedding'],
  lamps: ['lamp', 'reading light'],
  dresses: ['summer dress', 'dress'],
  jeans: ['denim', 'jeans'],
  't-shirts': ['tshirt', 'tee'],
  jackets: ['coat', 'jacket'],
  sneakers: ['trainers', 'sneakers'],
  boots: ['boots'],
  sandals: ['summer shoes', 'sandals'],
  handbags: ['purse', 'handbag'],
  backpacks: ['rucksack', 'school bag'],
  wallets: ['purse', 'wallet'],
  watches: ['wristwatch', 'watch'],
  necklaces: ['jewellery', 'necklace'],
  moisturisers: ['face cream', 'moisturizer'],
  cleansers: ['face wash', 'cleanser'],
  sunscreen: ['sun lotion', 'suncream'],
  'hair-dryers': ['hairdryer', 'hair straightener'],
  perfume: ['fragrance', 'scent'],
  deodorant: ['antiperspirant', 'deo'],
  'building-sets': ['lego', 'bricks'],
  'board-games': ['family game', 'board game'],
  'jigsaw-puzzles': ['puzzle'],
  scooters: ['kids scooter', 'scooter'],
  'plush-toys': ['soft toy', 'teddy'],
};

/** What a shopper of each price band adds to a query now and then; mid-range shoppers say nothing of price. */
export const PRICE_BAND_WORDS: Readonly<Record<Tier, readonly string[]>> = {
  budget: ['cheap', 'affordable', 'budget', 'best value'],
  mid: [],
  premium: ['premium', 'high end', 'luxury', 'top quality'],
};
