/**
 * The hand-written vocabulary of the demo shop: its category tree, the words each leaf category's products are
 * described with, which leaves are bought together, and the raw material for brand names. Search and
 * recommendation quality on the demo is only measurable if these words carry real signal, so every leaf has
 * its own nouns and features, and departments share a few words between their leaves.
 *
 * Base prices are typical mid-range European shop prices in EUR (rounded), so that budget and premium
 * brands land around realistic price points.
 */

export interface LeafVocabulary {
  slug: string;
  name: string;
  /** Typical mid-range price in EUR. */
  basePrice: number;
  /** What the product is called; used in titles and descriptions. */
  nouns: readonly string[];
  /** Attributive words that read well before a noun ("wireless headphones"). */
  adjectives: readonly string[];
  /** Phrases that read well after "with" ("with deep bass and a 30-hour battery"). */
  features: readonly string[];
}

export interface SubcategoryVocabulary {
  slug: string;
  name: string;
  leaves: readonly LeafVocabulary[];
}

export interface DepartmentVocabulary {
  slug: string;
  name: string;
  /** Phrases shared by the whole department; read after "with". */
  features: readonly string[];
  /** What the products are for; read after "Ideal for". */
  occasions: readonly string[];
  /** Second words some brand names of this department get ("Norvik Audio"). */
  brandSuffixes: readonly string[];
  subcategories: readonly SubcategoryVocabulary[];
}

export const DEPARTMENTS: readonly DepartmentVocabulary[] = [
  {
    slug: 'electronics',
    name: 'Electronics',
    features: ['a 2-year warranty', 'USB-C charging', 'free firmware updates', 'a companion app', 'energy-saving standby'],
    occasions: ['the home office', 'travel', 'everyday use', 'gaming sessions', 'video calls'],
    brandSuffixes: ['Audio', 'Labs', 'Tech', 'Digital'],
    subcategories: [
      {
        slug: 'audio',
        name: 'Audio',
        leaves: [
          {
            slug: 'headphones',
            name: 'Headphones',
            basePrice: 89,
            nouns: ['headphones', 'earbuds', 'headset'],
            adjectives: ['wireless', 'noise-cancelling', 'over-ear', 'in-ear', 'foldable'],
            features: ['deep bass', 'Bluetooth 5.3', 'a 30-hour battery', 'a built-in microphone', 'memory-foam ear cushions'],
          },
          {
            slug: 'speakers',
            name: 'Speakers',
            basePrice: 79,
            nouns: ['speaker', 'soundbar', 'party speaker'],
            adjectives: ['portable', 'waterproof', 'wireless', 'compact', 'stereo'],
            features: ['360-degree sound', 'a 12-hour battery', 'deep bass', 'multi-room pairing', 'an IPX7 rating'],
          },
          {
            slug: 'microphones',
            name: 'Microphones',
            basePrice: 69,
            nouns: ['microphone', 'USB microphone', 'podcast mic'],
            adjectives: ['condenser', 'dynamic', 'cardioid', 'plug-and-play'],
            features: ['a pop filter', 'a desk stand', 'studio-quality sound', 'zero-latency monitoring', 'a mute button'],
          },
        ],
      },
      {
        slug: 'phones',
        name: 'Phones & Accessories',
        leaves: [
          {
            slug: 'smartphones',
            name: 'Smartphones',
            basePrice: 449,
            nouns: ['smartphone', 'phone'],
            adjectives: ['5G', 'dual-SIM', 'unlocked', 'flagship'],
            features: ['a 6.5-inch OLED display', 'a triple camera', '128 GB storage', 'fast charging', 'a 5000 mAh battery'],
          },
          {
            slug: 'phone-cases',
            name: 'Phone Cases',
            basePrice: 19,
            nouns: ['phone case', 'cover', 'wallet case'],
            adjectives: ['shockproof', 'slim', 'transparent', 'leather', 'magnetic'],
            features: ['raised camera edges', 'a card slot', 'drop protection', 'wireless charging support', 'a soft-touch finish'],
          },
          {
            slug: 'chargers',
            name: 'Chargers & Cables',
            basePrice: 25,
            nouns: ['charger', 'charging cable', 'power bank'],
            adjectives: ['fast', 'USB-C', 'wireless', 'braided'],
            features: ['65 W output', 'a 10000 mAh capacity', 'two ports', 'overheating protection', 'a 2-metre cable'],
          },
        ],
      },
      {
        slug: 'photo',
        name: 'Cameras & Photo',
        leaves: [
          {
            slug: 'cameras',
            name: 'Cameras',
            basePrice: 899,
            nouns: ['camera', 'mirrorless camera', 'compact camera'],
            adjectives: ['mirrorless', 'full-frame', 'compact', 'weather-sealed'],
            features: ['a 24-megapixel sensor', '4K video', 'image stabilisation', 'a tilting touchscreen', 'fast autofocus'],
          },
          {
            slug: 'lenses',
            name: 'Lenses',
            basePrice: 399,
            nouns: ['lens', 'zoom lens', 'prime lens'],
            adjectives: ['wide-angle', 'telephoto', 'macro', 'portrait'],
            features: ['a fast f/1.8 aperture', 'silent autofocus', 'optical stabilisation', 'low-dispersion glass'],
          },
          {
            slug: 'memory-cards',
            name: 'Memory Cards',
            basePrice: 29,
            nouns: ['memory card', 'SD card', 'microSD card'],
            adjectives: ['high-speed', 'rugged', 'UHS-II', 'V30'],
            features: ['128 GB capacity', '170 MB/s read speed', 'an SD adapter', '4K video support'],
          },
        ],
      },
      {
        slug: 'computers',
        name: 'Computers',
        leaves: [
          {
            slug: 'laptops',
            name: 'Laptops',
            basePrice: 899,
            nouns: ['laptop', 'notebook', 'ultrabook'],
            adjectives: ['thin', 'lightweight', '14-inch', 'touchscreen'],
            features: ['16 GB RAM', 'a 512 GB SSD', 'an all-day battery', 'a backlit keyboard', 'a full-HD display'],
          },
          {
            slug: 'laptop-bags',
            name: 'Laptop Bags',
            basePrice: 45,
            nouns: ['laptop bag', 'laptop sleeve', 'laptop backpack'],
            adjectives: ['padded', 'water-resistant', 'slim', 'anti-theft'],
            features: ['a 15.6-inch compartment', 'a trolley strap', 'YKK zips', 'an organiser pocket'],
          },
          {
            slug: 'mice-keyboards',
            name: 'Mice & Keyboards',
            basePrice: 49,
            nouns: ['mouse', 'keyboard', 'keyboard and mouse set'],
            adjectives: ['ergonomic', 'wireless', 'mechanical', 'silent', 'backlit'],
            features: ['a 16000 DPI sensor', 'programmable buttons', 'hot-swappable switches', 'a rechargeable battery', 'multi-device pairing'],
          },
        ],
      },
    ],
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    features: ['reflective details', 'a lifetime guarantee', 'moisture-wicking fabric', 'recycled materials', 'a lightweight build'],
    occasions: ['trail runs', 'weekend adventures', 'the gym', 'long-distance training', 'camping trips'],
    brandSuffixes: ['Outdoor', 'Athletics', 'Sport', 'Trail'],
    subcategories: [
      {
        slug: 'running',
        name: 'Running',
        leaves: [
          {
            slug: 'running-shoes',
            name: 'Running Shoes',
            basePrice: 119,
            nouns: ['running shoes', 'trail shoes', 'racing flats'],
            adjectives: ['cushioned', 'lightweight', 'responsive', 'stability'],
            features: ['a breathable mesh upper', 'a carbon plate', 'a grippy outsole', 'an 8 mm drop', 'a reflective heel'],
          },
          {
            slug: 'running-socks',
            name: 'Running Socks',
            basePrice: 14,
            nouns: ['running socks', 'compression socks', 'ankle socks'],
            adjectives: ['cushioned', 'seamless', 'merino', 'blister-free'],
            features: ['arch support', 'a padded heel', 'moisture-wicking yarn', 'a three-pack'],
          },
          {
            slug: 'running-apparel',
            name: 'Running Apparel',
            basePrice: 39,
            nouns: ['running shirt', 'running shorts', 'running jacket'],
            adjectives: ['breathable', 'quick-dry', 'reflective', 'windproof'],
            features: ['flatlock seams', 'a zip pocket', 'UV protection', 'a drop-tail hem'],
          },
          {
            slug: 'sports-watches',
            name: 'GPS & Sports Watches',
            basePrice: 249,
            nouns: ['GPS watch', 'sports watch', 'fitness tracker'],
            adjectives: ['waterproof', 'solar', 'multisport', 'lightweight'],
            features: ['heart-rate tracking', 'a 14-day battery', 'route navigation', 'sleep tracking'],
          },
        ],
      },
      {
        slug: 'camping',
        name: 'Camping & Hiking',
        leaves: [
          {
            slug: 'tents',
            name: 'Tents',
            basePrice: 179,
            nouns: ['tent', 'dome tent', 'backpacking tent'],
            adjectives: ['two-person', 'waterproof', 'freestanding', 'ultralight'],
            features: ['a 3000 mm hydrostatic head', 'aluminium poles', 'two vestibules', 'a quick-pitch design'],
          },
          {
            slug: 'sleeping-bags',
            name: 'Sleeping Bags',
            basePrice: 99,
            nouns: ['sleeping bag', 'mummy bag'],
            adjectives: ['down', 'three-season', 'compressible', 'synthetic'],
            features: ['a 2-degree comfort rating', 'a draught collar', 'a compression sack', 'a two-way zip'],
          },
          {
            slug: 'headlamps',
            name: 'Headlamps',
            basePrice: 35,
            nouns: ['headlamp', 'head torch'],
            adjectives: ['rechargeable', 'waterproof', 'bright', 'red-light'],
            features: ['400 lumens', 'a USB-C port', 'a tilting beam', 'a lock mode'],
          },
        ],
      },
      {
        slug: 'cycling',
        name: 'Cycling',
        leaves: [
          {
            slug: 'bikes',
            name: 'Bikes',
            basePrice: 1199,
            nouns: ['road bike', 'gravel bike', 'e-bike', 'city bike'],
            adjectives: ['lightweight', 'aluminium', 'electric', 'hybrid'],
            features: ['hydraulic disc brakes', 'a 22-speed drivetrain', 'a carbon fork', 'tubeless-ready wheels'],
          },
          {
            slug: 'bike-helmets',
            name: 'Bike Helmets',
            basePrice: 79,
            nouns: ['helmet', 'cycling helmet'],
            adjectives: ['ventilated', 'MIPS', 'aero', 'lightweight'],
            features: ['18 vents', 'an adjustable fit system', 'a removable visor', 'a magnetic buckle'],
          },
          {
            slug: 'bike-lights',
            name: 'Bike Lights',
            basePrice: 39,
            nouns: ['bike light', 'light set', 'rear light'],
            adjectives: ['rechargeable', 'road-legal', 'bright', 'compact'],
            features: ['800 lumens', 'a daytime flash mode', 'a quick-release mount', 'a 10-hour runtime'],
          },
        ],
      },
      {
        slug: 'fitness',
        name: 'Fitness',
        leaves: [
          {
            slug: 'yoga-mats',
            name: 'Yoga Mats',
            basePrice: 35,
            nouns: ['yoga mat', 'exercise mat'],
            adjectives: ['non-slip', 'extra-thick', 'foldable', 'cork'],
            features: ['a carrying strap', 'alignment lines', 'natural rubber', 'a 6 mm cushion'],
          },
          {
            slug: 'dumbbells',
            name: 'Dumbbells & Kettlebells',
            basePrice: 89,
            nouns: ['dumbbells', 'adjustable dumbbells', 'kettlebell'],
            adjectives: ['adjustable', 'rubber-coated', 'hexagonal', 'cast-iron'],
            features: ['a quick-change dial', 'knurled handles', 'a storage tray', '2 to 24 kg settings'],
          },
          {
            slug: 'water-bottles',
            name: 'Water Bottles',
            basePrice: 22,
            nouns: ['water bottle', 'shaker', 'insulated bottle'],
            adjectives: ['insulated', 'leak-proof', 'BPA-free', 'stainless-steel'],
            features: ['a 750 ml capacity', 'a sport cap', '24-hour cold retention', 'a carry loop'],
          },
        ],
      },
    ],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    features: ['a 2-year guarantee', 'easy-care materials', 'a timeless look', 'dishwasher-safe parts', 'plastic-free packaging'],
    occasions: ['busy mornings', 'family dinners', 'small apartments', 'cosy evenings', 'entertaining guests'],
    brandSuffixes: ['Home', 'Kitchen', 'Living', 'Haus'],
    subcategories: [
      {
        slug: 'coffee-tea',
        name: 'Coffee & Tea',
        leaves: [
          {
            slug: 'coffee-machines',
            name: 'Coffee Machines',
            basePrice: 299,
            nouns: ['espresso machine', 'coffee maker', 'bean-to-cup machine'],
            adjectives: ['automatic', 'compact', 'programmable', 'stainless-steel'],
            features: ['a 15-bar pump', 'a milk frother', 'a 1.8-litre water tank', 'a built-in grinder'],
          },
          {
            slug: 'coffee-grinders',
            name: 'Coffee Grinders',
            basePrice: 79,
            nouns: ['coffee grinder', 'burr grinder'],
            adjectives: ['electric', 'manual', 'conical', 'adjustable'],
            features: ['40 grind settings', 'a timer', 'a ceramic burr', 'a low-retention chute'],
          },
          {
            slug: 'coffee-beans',
            name: 'Coffee Beans',
            basePrice: 18,
            nouns: ['coffee beans', 'espresso beans', 'ground coffee'],
            adjectives: ['single-origin', 'dark-roast', 'organic', 'fair-trade'],
            features: ['notes of chocolate', 'a 1 kg bag', 'a one-way valve', 'medium acidity'],
          },
          {
            slug: 'mugs',
            name: 'Mugs & Cups',
            basePrice: 16,
            nouns: ['mug', 'travel mug', 'cup set'],
            adjectives: ['ceramic', 'insulated', 'double-walled', 'hand-glazed'],
            features: ['a 350 ml capacity', 'a leak-proof lid', 'a comfortable handle', 'a set of four'],
          },
        ],
      },
      {
        slug: 'cookware',
        name: 'Cookware',
        leaves: [
          {
            slug: 'frying-pans',
            name: 'Frying Pans',
            basePrice: 45,
            nouns: ['frying pan', 'skillet', 'wok'],
            adjectives: ['non-stick', 'cast-iron', 'induction-ready', 'oven-safe'],
            features: ['a 28 cm diameter', 'a stay-cool handle', 'a PFOA-free coating', 'a tempered glass lid'],
          },
          {
            slug: 'saucepans',
            name: 'Pots & Saucepans',
            basePrice: 59,
            nouns: ['saucepan', 'stockpot', 'casserole dish'],
            adjectives: ['stainless-steel', 'enamelled', 'induction-ready', 'tri-ply'],
            features: ['measuring marks', 'a pouring rim', 'a glass lid', 'a heavy base'],
          },
          {
            slug: 'kitchen-knives',
            name: 'Kitchen Knives',
            basePrice: 69,
            nouns: ["chef's knife", 'knife set', 'santoku knife'],
            adjectives: ['forged', 'Damascus-steel', 'razor-sharp', 'ergonomic'],
            features: ['a full tang', 'a 20 cm blade', 'a magnetic block', 'a sharpening steel'],
          },
        ],
      },
      {
        slug: 'bedding',
        name: 'Bedding',
        leaves: [
          {
            slug: 'duvets',
            name: 'Duvets',
            basePrice: 89,
            nouns: ['duvet', 'quilt', 'comforter'],
            adjectives: ['all-season', 'lightweight', 'hypoallergenic', 'down-filled'],
            features: ['10.5 tog warmth', 'a cotton cover', 'box stitching', 'corner ties'],
          },
          {
            slug: 'pillows',
            name: 'Pillows',
            basePrice: 39,
            nouns: ['pillow', 'side-sleeper pillow'],
            adjectives: ['memory-foam', 'orthopaedic', 'cooling', 'hypoallergenic'],
            features: ['a washable cover', 'adjustable filling', 'neck support', 'a pair pack'],
          },
          {
            slug: 'bed-linen',
            name: 'Bed Linen',
            basePrice: 59,
            nouns: ['bed sheets', 'duvet cover set', 'fitted sheet'],
            adjectives: ['cotton', 'linen', 'percale', 'sateen'],
            features: ['a 400-thread count', 'deep pockets', 'button closure', 'pre-washed softness'],
          },
        ],
      },
      {
        slug: 'decor',
        name: 'Home Decor',
        leaves: [
          {
            slug: 'candles',
            name: 'Candles',
            basePrice: 19,
            nouns: ['candle', 'scented candle', 'candle set'],
            adjectives: ['scented', 'soy-wax', 'hand-poured'],
            features: ['a 40-hour burn time', 'a cotton wick', 'a glass jar', 'notes of vanilla'],
          },
          {
            slug: 'vases',
            name: 'Vases',
            basePrice: 29,
            nouns: ['vase', 'flower vase'],
            adjectives: ['ceramic', 'glass', 'handmade', 'stoneware'],
            features: ['a matte glaze', 'a wide neck', 'a weighted base'],
          },
          {
            slug: 'lamps',
            name: 'Lamps',
            basePrice: 69,
            nouns: ['table lamp', 'floor lamp', 'desk lamp'],
            adjectives: ['dimmable', 'LED', 'adjustable', 'rattan'],
            features: ['a warm-white bulb', 'a linen shade', 'a touch switch', 'a brass base'],
          },
        ],
      },
    ],
  },
  {
    slug: 'fashion',
    name: 'Fashion',
    features: ['free returns', 'a relaxed fit', 'responsibly sourced materials', 'a timeless cut', 'easy-care fabric'],
    occasions: ['everyday wear', 'the office', 'weekends in the city', 'evenings out', 'travel'],
    brandSuffixes: ['Atelier', '& Co', 'Studio', 'Collective'],
    subcategories: [
      {
        slug: 'clothing',
        name: 'Clothing',
        leaves: [
          {
            slug: 'dresses',
            name: 'Dresses',
            basePrice: 59,
            nouns: ['dress', 'midi dress', 'wrap dress'],
            adjectives: ['floral', 'linen', 'pleated', 'sleeveless'],
            features: ['a flattering waist', 'side pockets', 'a V-neck', 'a flowing skirt'],
          },
          {
            slug: 'jeans',
            name: 'Jeans',
            basePrice: 69,
            nouns: ['jeans', 'slim jeans', 'straight-leg jeans'],
            adjectives: ['stretch', 'slim-fit', 'high-rise', 'organic-cotton'],
            features: ['a five-pocket design', 'a button fly', 'a faded wash', 'reinforced seams'],
          },
          {
            slug: 't-shirts',
            name: 'T-Shirts',
            basePrice: 25,
            nouns: ['t-shirt', 'tee', 'polo shirt'],
            adjectives: ['organic-cotton', 'oversized', 'crew-neck', 'striped'],
            features: ['a soft jersey', 'a ribbed collar', 'a relaxed fit', 'a three-pack option'],
          },
          {
            slug: 'jackets',
            name: 'Jackets',
            basePrice: 129,
            nouns: ['jacket', 'parka', 'rain jacket'],
            adjectives: ['waterproof', 'quilted', 'padded', 'denim'],
            features: ['a detachable hood', 'a two-way zip', 'taped seams', 'recycled insulation'],
          },
        ],
      },
      {
        slug: 'shoes',
        name: 'Shoes',
        leaves: [
          {
            slug: 'sneakers',
            name: 'Sneakers',
            basePrice: 89,
            nouns: ['sneakers', 'trainers', 'low-tops'],
            adjectives: ['leather', 'canvas', 'retro', 'chunky'],
            features: ['a cushioned insole', 'a rubber cupsole', 'contrast laces'],
          },
          {
            slug: 'boots',
            name: 'Boots',
            basePrice: 139,
            nouns: ['boots', 'ankle boots', 'Chelsea boots'],
            adjectives: ['leather', 'waterproof', 'lace-up', 'suede'],
            features: ['a Goodyear welt', 'a lug sole', 'elastic side panels', 'a shearling lining'],
          },
          {
            slug: 'sandals',
            name: 'Sandals',
            basePrice: 49,
            nouns: ['sandals', 'slides', 'flip-flops'],
            adjectives: ['leather', 'cork', 'strappy', 'platform'],
            features: ['a contoured footbed', 'an adjustable buckle', 'a padded strap'],
          },
          {
            slug: 'shoe-care',
            name: 'Shoe Care',
            basePrice: 15,
            nouns: ['shoe polish', 'shoe care kit', 'waterproofing spray'],
            adjectives: ['protective', 'nourishing', 'colourless', 'professional'],
            features: ['a horsehair brush', 'beeswax', 'a cleaning cloth', 'suede protection'],
          },
        ],
      },
      {
        // The comma is deliberate: real shops have such names, and the CSV must quote them.
        slug: 'bags',
        name: 'Bags, Belts & Wallets',
        leaves: [
          {
            slug: 'handbags',
            name: 'Handbags',
            basePrice: 99,
            nouns: ['handbag', 'tote bag', 'crossbody bag'],
            adjectives: ['leather', 'vegan-leather', 'structured', 'quilted'],
            features: ['an adjustable strap', 'an inner zip pocket', 'gold-tone hardware', 'a magnetic clasp'],
          },
          {
            slug: 'backpacks',
            name: 'Backpacks',
            basePrice: 69,
            nouns: ['backpack', 'rucksack', 'daypack'],
            adjectives: ['roll-top', 'water-resistant', 'canvas', 'commuter'],
            features: ['a padded laptop sleeve', 'a 20-litre capacity', 'a hidden pocket', 'a chest strap'],
          },
          {
            slug: 'wallets',
            name: 'Wallets & Belts',
            basePrice: 39,
            nouns: ['wallet', 'cardholder', 'belt'],
            adjectives: ['slim', 'leather', 'RFID-blocking', 'reversible'],
            features: ['six card slots', 'a coin pocket', 'a gift box', 'a brushed buckle'],
          },
        ],
      },
      {
        slug: 'jewellery',
        name: 'Watches & Jewellery',
        leaves: [
          {
            slug: 'watches',
            name: 'Watches',
            basePrice: 199,
            nouns: ['watch', 'automatic watch', 'chronograph'],
            adjectives: ['automatic', 'dress', 'chronograph', 'dive'],
            features: ['sapphire glass', 'a 40 mm case', '100 m water resistance', 'a date window'],
          },
          {
            slug: 'watch-straps',
            name: 'Watch Straps',
            basePrice: 25,
            nouns: ['watch strap', 'watch band'],
            adjectives: ['leather', 'silicone', 'NATO', 'quick-release'],
            features: ['20 mm lugs', 'spring bars', 'a brushed buckle', 'a tool-free swap'],
          },
          {
            slug: 'necklaces',
            name: 'Necklaces & Earrings',
            basePrice: 49,
            nouns: ['necklace', 'pendant', 'earrings'],
            adjectives: ['sterling-silver', 'gold-plated', 'layered', 'dainty'],
            features: ['an adjustable chain', 'a lobster clasp', 'a gift pouch', 'nickel-free posts'],
          },
        ],
      },
    ],
  },
  {
    slug: 'beauty',
    name: 'Beauty',
    features: ['cruelty-free ingredients', 'recyclable packaging', 'a dermatologist-tested formula', 'vegan ingredients', 'a travel-size option'],
    occasions: ['daily routines', 'sensitive skin', 'special occasions', 'gifting', 'travel'],
    brandSuffixes: ['Botanics', 'Beauty', 'Skin', 'Cosmetics'],
    subcategories: [
      {
        slug: 'skincare',
        name: 'Skincare',
        leaves: [
          {
            slug: 'moisturisers',
            name: 'Moisturisers',
            basePrice: 25,
            nouns: ['moisturiser', 'day cream', 'night cream'],
            adjectives: ['hydrating', 'lightweight', 'rich', 'oil-free'],
            features: ['hyaluronic acid', 'SPF 15', 'ceramides', 'a 50 ml jar'],
          },
          {
            slug: 'cleansers',
            name: 'Cleansers',
            basePrice: 15,
            nouns: ['cleanser', 'face wash', 'micellar water'],
            adjectives: ['gentle', 'foaming', 'balancing', 'soothing'],
            features: ['green tea extract', 'salicylic acid', 'a pump bottle', 'a 200 ml size'],
          },
          {
            slug: 'serums',
            name: 'Serums',
            basePrice: 32,
            nouns: ['serum', 'face oil', 'ampoule'],
            adjectives: ['brightening', 'anti-ageing', 'vitamin-C', 'retinol'],
            features: ['niacinamide', 'a glass dropper', 'a 30 ml bottle', 'peptides'],
          },
          {
            slug: 'sunscreen',
            name: 'Sunscreen',
            basePrice: 18,
            nouns: ['sunscreen', 'sun cream', 'sun spray'],
            adjectives: ['SPF50', 'water-resistant', 'mineral', 'non-greasy'],
            features: ['broad-spectrum UVA/UVB protection', 'a 100 ml tube', 'a light texture'],
          },
        ],
      },
      {
        slug: 'haircare',
        name: 'Haircare',
        leaves: [
          {
            slug: 'shampoo',
            name: 'Shampoo',
            basePrice: 12,
            nouns: ['shampoo', 'shampoo bar', 'dry shampoo'],
            adjectives: ['sulfate-free', 'volumising', 'clarifying', 'moisturising'],
            features: ['argan oil', 'keratin', 'a 250 ml bottle', 'a fresh citrus scent'],
          },
          {
            slug: 'conditioner',
            name: 'Conditioner',
            basePrice: 13,
            nouns: ['conditioner', 'hair mask', 'leave-in conditioner'],
            adjectives: ['repairing', 'detangling', 'nourishing', 'silicone-free'],
            features: ['shea butter', 'coconut oil', 'a deep-conditioning formula', 'a 200 ml tube'],
          },
          {
            slug: 'hair-dryers',
            name: 'Hair Dryers & Stylers',
            basePrice: 59,
            nouns: ['hair dryer', 'straightener', 'curling wand'],
            adjectives: ['ionic', 'ceramic', 'cordless', 'salon'],
            features: ['2200 W power', 'three heat settings', 'a cool shot button', 'a diffuser nozzle'],
          },
        ],
      },
      {
        slug: 'makeup',
        name: 'Makeup',
        leaves: [
          {
            slug: 'lipstick',
            name: 'Lipstick',
            basePrice: 16,
            nouns: ['lipstick', 'lip gloss', 'lip liner'],
            adjectives: ['matte', 'long-lasting', 'satin', 'hydrating'],
            features: ['vitamin E', 'twelve shades', 'a precision tip', 'a creamy texture'],
          },
          {
            slug: 'mascara',
            name: 'Mascara',
            basePrice: 14,
            nouns: ['mascara', 'lash serum'],
            adjectives: ['volumising', 'waterproof', 'lengthening', 'smudge-proof'],
            features: ['a curved brush', 'a carbon-black formula', 'easy removal'],
          },
          {
            slug: 'foundation',
            name: 'Foundation',
            basePrice: 29,
            nouns: ['foundation', 'concealer', 'BB cream'],
            adjectives: ['full-coverage', 'matte', 'dewy', 'lightweight'],
            features: ['forty shades', 'SPF 20', 'a buildable formula', 'a pump dispenser'],
          },
        ],
      },
      {
        slug: 'fragrance',
        name: 'Fragrance',
        leaves: [
          {
            slug: 'perfume',
            name: 'Perfume',
            basePrice: 69,
            nouns: ['perfume', 'eau de parfum', 'eau de toilette'],
            adjectives: ['floral', 'woody', 'fresh', 'amber'],
            features: ['notes of jasmine', 'a 50 ml spray', 'a long-lasting trail', 'bergamot top notes'],
          },
          {
            slug: 'aftershave',
            name: 'Aftershave',
            basePrice: 35,
            nouns: ['aftershave', 'aftershave balm', 'cologne'],
            adjectives: ['soothing', 'woody', 'citrus', 'alcohol-free'],
            features: ['aloe vera', 'a 100 ml bottle', 'notes of cedar', 'a cooling finish'],
          },
          {
            slug: 'deodorant',
            name: 'Deodorant',
            basePrice: 9,
            nouns: ['deodorant', 'roll-on', 'body spray'],
            adjectives: ['aluminium-free', 'natural', '48-hour', 'refillable'],
            features: ['a fresh scent', 'a glass roll-on', 'a baking-soda-free formula', 'a 75 ml size'],
          },
        ],
      },
    ],
  },
  {
    slug: 'toys-games',
    name: 'Toys & Games',
    features: ['non-toxic materials', 'step-by-step instructions', 'a gift-ready box', 'recycled packaging', 'batteries included'],
    occasions: ['birthdays', 'family game nights', 'rainy afternoons', 'kids aged 6 and up', 'holiday gifts'],
    brandSuffixes: ['Toys', 'Play', 'Games', 'Kids'],
    subcategories: [
      {
        slug: 'building',
        name: 'Building Sets',
        leaves: [
          {
            slug: 'building-sets',
            name: 'Building Sets',
            basePrice: 49,
            nouns: ['building set', 'brick set', 'construction kit'],
            adjectives: ['creative', 'motorised', 'themed', 'collectible'],
            features: ['500 pieces', 'a minifigure', 'illustrated instructions', 'a display stand'],
          },
          {
            slug: 'marble-runs',
            name: 'Marble Runs',
            basePrice: 39,
            nouns: ['marble run', 'track set'],
            adjectives: ['wooden', 'expandable', 'glow-in-the-dark'],
            features: ['100 pieces', '30 marbles', 'a spiral tower', 'a storage box'],
          },
          {
            slug: 'wooden-blocks',
            name: 'Wooden Blocks',
            basePrice: 29,
            nouns: ['wooden blocks', 'stacking toy', 'block set'],
            adjectives: ['wooden', 'colourful', 'Montessori', 'stackable'],
            features: ['50 blocks', 'non-toxic paint', 'a drawstring bag'],
          },
        ],
      },
      {
        slug: 'games',
        name: 'Board Games & Puzzles',
        leaves: [
          {
            slug: 'board-games',
            name: 'Board Games',
            basePrice: 35,
            nouns: ['board game', 'strategy game', 'family game'],
            adjectives: ['cooperative', 'strategy', 'classic', 'party'],
            features: ['two to six players', 'a 45-minute playtime', 'illustrated cards', 'a modular board'],
          },
          {
            slug: 'jigsaw-puzzles',
            name: 'Jigsaw Puzzles',
            basePrice: 19,
            nouns: ['jigsaw puzzle', 'puzzle'],
            adjectives: ['1000-piece', 'panoramic', 'wooden', 'family'],
            features: ['a poster guide', 'thick cardboard pieces', 'a sorting tray', 'a matte finish'],
          },
          {
            slug: 'card-games',
            name: 'Card Games',
            basePrice: 12,
            nouns: ['card game', 'playing cards', 'deck'],
            adjectives: ['quick', 'party', 'collectible', 'pocket-sized'],
            features: ['110 cards', 'a tin box', 'easy rules', 'a 15-minute playtime'],
          },
        ],
      },
      {
        slug: 'outdoor-play',
        name: 'Outdoor Play',
        leaves: [
          {
            slug: 'scooters',
            name: 'Scooters',
            basePrice: 59,
            nouns: ['scooter', 'kick scooter'],
            adjectives: ['foldable', 'three-wheel', 'light-up', 'adjustable'],
            features: ['PU wheels', 'a rear brake', 'a height-adjustable handlebar', 'LED wheels'],
          },
          {
            slug: 'kites',
            name: 'Kites',
            basePrice: 24,
            nouns: ['kite', 'stunt kite'],
            adjectives: ['delta', 'stunt', 'rainbow', 'easy-flying'],
            features: ['a 30 m line', 'a carry bag', 'a fibreglass frame'],
          },
          {
            slug: 'garden-games',
            name: 'Garden Games',
            basePrice: 34,
            nouns: ['garden game', 'lawn game', 'ring toss set'],
            adjectives: ['wooden', 'giant', 'outdoor', 'weatherproof'],
            features: ['a carry bag', 'a scoring sheet', 'sturdy pegs'],
          },
        ],
      },
      {
        slug: 'dolls',
        name: 'Dolls & Figures',
        leaves: [
          {
            slug: 'dolls',
            name: 'Dolls',
            basePrice: 29,
            nouns: ['doll', 'fashion doll', 'baby doll'],
            adjectives: ['poseable', 'soft-bodied', 'dress-up', 'collectible'],
            features: ['three outfits', 'brushable hair', 'a carry case'],
          },
          {
            slug: 'action-figures',
            name: 'Action Figures',
            basePrice: 24,
            nouns: ['action figure', 'figure set'],
            adjectives: ['articulated', 'collectible', 'battle-ready'],
            features: ['20 points of articulation', 'interchangeable hands', 'a display base'],
          },
          {
            slug: 'plush-toys',
            name: 'Plush Toys',
            basePrice: 19,
            nouns: ['plush toy', 'teddy bear', 'cuddly toy'],
            adjectives: ['soft', 'huggable', 'washable', 'giant'],
            features: ['embroidered eyes', 'recycled filling', 'a gift tag'],
          },
        ],
      },
    ],
  },
];

/**
 * Leaves bought together: after buying in `main`, shoppers often come back for `companion`. `accessory` pairs
 * become ACCESSORY_OF relations (companion → main: the memory card is an accessory of the camera),
 * `complement` pairs COMPLEMENTS relations (main → companion). Leaves are named "department/subcategory/leaf".
 */
export const BOUGHT_TOGETHER: readonly { main: string; companion: string; kind: 'accessory' | 'complement' }[] = [
  { main: 'electronics/photo/cameras', companion: 'electronics/photo/memory-cards', kind: 'accessory' },
  { main: 'electronics/photo/cameras', companion: 'electronics/photo/lenses', kind: 'accessory' },
  { main: 'electronics/phones/smartphones', companion: 'electronics/phones/phone-cases', kind: 'accessory' },
  { main: 'electronics/phones/smartphones', companion: 'electronics/phones/chargers', kind: 'accessory' },
  { main: 'electronics/computers/laptops', companion: 'electronics/computers/laptop-bags', kind: 'accessory' },
  { main: 'electronics/computers/laptops', companion: 'electronics/computers/mice-keyboards', kind: 'accessory' },
  { main: 'electronics/audio/microphones', companion: 'electronics/audio/headphones', kind: 'complement' },
  { main: 'sports-outdoors/running/running-shoes', companion: 'sports-outdoors/running/running-socks', kind: 'complement' },
  { main: 'sports-outdoors/running/running-shoes', companion: 'sports-outdoors/running/running-apparel', kind: 'complement' },
  { main: 'sports-outdoors/running/sports-watches', companion: 'sports-outdoors/running/running-shoes', kind: 'complement' },
  { main: 'sports-outdoors/camping/tents', companion: 'sports-outdoors/camping/sleeping-bags', kind: 'complement' },
  { main: 'sports-outdoors/camping/tents', companion: 'sports-outdoors/camping/headlamps', kind: 'complement' },
  { main: 'sports-outdoors/cycling/bikes', companion: 'sports-outdoors/cycling/bike-helmets', kind: 'accessory' },
  { main: 'sports-outdoors/cycling/bikes', companion: 'sports-outdoors/cycling/bike-lights', kind: 'accessory' },
  { main: 'sports-outdoors/fitness/dumbbells', companion: 'sports-outdoors/fitness/yoga-mats', kind: 'complement' },
  { main: 'sports-outdoors/fitness/yoga-mats', companion: 'sports-outdoors/fitness/water-bottles', kind: 'complement' },
  { main: 'home-kitchen/coffee-tea/coffee-machines', companion: 'home-kitchen/coffee-tea/coffee-beans', kind: 'complement' },
  { main: 'home-kitchen/coffee-tea/coffee-machines', companion: 'home-kitchen/coffee-tea/mugs', kind: 'complement' },
  { main: 'home-kitchen/coffee-tea/coffee-grinders', companion: 'home-kitchen/coffee-tea/coffee-beans', kind: 'complement' },
  { main: 'home-kitchen/cookware/frying-pans', companion: 'home-kitchen/cookware/kitchen-knives', kind: 'complement' },
  { main: 'home-kitchen/bedding/duvets', companion: 'home-kitchen/bedding/bed-linen', kind: 'complement' },
  { main: 'home-kitchen/bedding/pillows', companion: 'home-kitchen/bedding/bed-linen', kind: 'complement' },
  { main: 'fashion/clothing/dresses', companion: 'fashion/shoes/sandals', kind: 'complement' },
  { main: 'fashion/clothing/jeans', companion: 'fashion/clothing/t-shirts', kind: 'complement' },
  { main: 'fashion/shoes/boots', companion: 'fashion/shoes/shoe-care', kind: 'accessory' },
  { main: 'fashion/shoes/sneakers', companion: 'fashion/shoes/shoe-care', kind: 'accessory' },
  { main: 'fashion/jewellery/watches', companion: 'fashion/jewellery/watch-straps', kind: 'accessory' },
  { main: 'beauty/skincare/cleansers', companion: 'beauty/skincare/moisturisers', kind: 'complement' },
  { main: 'beauty/skincare/moisturisers', companion: 'beauty/skincare/serums', kind: 'complement' },
  { main: 'beauty/haircare/shampoo', companion: 'beauty/haircare/conditioner', kind: 'complement' },
  { main: 'beauty/makeup/foundation', companion: 'beauty/makeup/mascara', kind: 'complement' },
  { main: 'toys-games/games/board-games', companion: 'toys-games/games/card-games', kind: 'complement' },
  { main: 'toys-games/dolls/dolls', companion: 'toys-games/dolls/plush-toys', kind: 'complement' },
];

/**
 * Words a brand is known for; each brand gets two, and they appear in its products' descriptions, so that a
 * text model can tie products of one brand together. They read both before a noun ("handcrafted headphones")
 * and before "range" ("the handcrafted Norvik range").
 */
export const SIGNATURE_WORDS: readonly string[] = [
  'handcrafted',
  'award-winning',
  'eco-conscious',
  'Nordic-designed',
  'heritage',
  'pro-grade',
  'sustainable',
  'urban',
  'expedition-tested',
  'artisan',
  'precision-engineered',
  'limited-edition',
  'studio-grade',
  'performance',
  'vintage-inspired',
  'modular',
  'Italian-made',
  'Japanese-inspired',
  'low-waste',
  'design-led',
  'rugged',
  'everyday-luxury',
  'bestselling',
  'small-batch',
];

/** Brand names are a start and an ending ("Nor" + "vik"); 38 × 20 combinations leave room for 200 unique names. */
export const BRAND_STARTS: readonly string[] = [
  'Al', 'Bel', 'Cal', 'Dor', 'El', 'Fen', 'Gal', 'Hel', 'Is', 'Jar', 'Kal', 'Lun', 'Mar', 'Nor', 'Or', 'Pal', 'Quel', 'Ros', 'Sol',
  'Tar', 'Ul', 'Val', 'Wil', 'Yar', 'Zen', 'Ber', 'Cor', 'Dal', 'Fal', 'Ker', 'Lor', 'Mel', 'Ner', 'Pir', 'Ren', 'Sar', 'Tor', 'Vel',
];
export const BRAND_ENDINGS: readonly string[] = [
  'a', 'o', 'ix', 'en', 'ara', 'ova', 'ion', 'ora', 'ex', 'ia', 'um', 'eno', 'ika', 'ando', 'vik', 'dal', 'mont', 'by', 'ley', 'ton',
];
